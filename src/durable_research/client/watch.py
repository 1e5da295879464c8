"""Following a report: an async iterator of status snapshots (the CLI and web print them),
and a bounded wait for the next moment a person is needed (the MCP server's ``wait``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace

from temporalio.client import Client, WorkflowHistoryEventFilterType
from temporalio.service import RPCError

from durable_research.client.reports import RUNNING, ReportState, describe_report
from durable_research.contract.report import ReportStep
from durable_research.errors import UserError

# Steps in which a report waits for a person (answers to its clarifying questions, the
# plan's or the draft's review).
WAITING_STEPS = frozenset({ReportStep.CLARIFY, ReportStep.PLAN_REVIEW, ReportStep.REVIEW})


async def watch(
    client: Client, workflow_id: str, interval_s: float = 0.5
) -> AsyncGenerator[ReportState, None]:
    """Yield a snapshot whenever something visible changed, until the report closes.

    Looks every ``interval_s`` seconds, and at once when the report closes: a long poll
    on its history's close event wakes the watch, so a finished report's last snapshot
    (and the PDF a front end shows from it) comes when the server records the close,
    not up to ``interval_s`` later (measured: ~0.3 s of a 0.6 s warm ``research run``
    went to that wait). The last snapshot has the closed status (with the result or the
    failure). A server that does not answer ends no watch: the last snapshot comes again
    with ``unreachable`` saying why (once, as nothing else changes), and the next answer
    is a snapshot without it.

    Raises:
        WorkflowNotFoundError: No workflow with that id (checked at once).
    """
    previous: tuple[object, ...] | None = None
    state = await describe_report(client, workflow_id)
    closed = asyncio.ensure_future(_closed(client, workflow_id, interval_s))
    try:
        while True:
            key = _fingerprint(state)
            if key != previous:
                previous = key
                yield state
            if state.status != RUNNING:
                return
            if closed.done():  # woke once already: the interval alone from here
                await asyncio.sleep(interval_s)
            else:
                await asyncio.wait({closed}, timeout=interval_s)
            try:
                state = await describe_report(client, workflow_id)
            except (RPCError, UserError) as exc:
                # The last state again, saying why there is no newer one: a front end
                # tells the user the server is away (and, at the next answer, back).
                state = replace(state, unreachable=exc.message or type(exc).__name__)
    finally:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await closed


async def _closed(client: Client, workflow_id: str, retry_s: float) -> None:
    """Return when the workflow's history has its close event (a server-side long poll).

    A failed poll (the server restarting) is tried again after ``retry_s``: the watch's
    own interval goes on meanwhile, so a lost poll only costs the early wake-up.
    """
    handle = client.get_workflow_handle(workflow_id)
    while True:
        try:
            async for _event in handle.fetch_history_events(
                    wait_new_event=True, skip_archival=True,
                    event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT):
                return
        except RPCError:
            pass
        await asyncio.sleep(retry_s)


def _fingerprint(state: ReportState) -> tuple[object, ...]:
    q = state.query
    if q is None:
        return (state.status, tuple(state.pending), state.failure, state.unreachable)
    research = q.research
    return (state.status, q.step, len(q.history), q.versions, q.usage.total_tokens,
            tuple(state.pending), state.failure, state.unreachable,
            repr(research) if research is not None else "")


def needs_person(state: ReportState) -> bool:
    """Whether the report waits for answers, or a review of its plan or draft."""
    return state.status == RUNNING and state.query is not None and (
        state.query.step in WAITING_STEPS)


async def settle(client: Client, workflow_id: str, timeout_s: float,
                 interval_s: float = 0.5) -> ReportState:
    """The report's state once it has ended or waits for a person, or after ``timeout_s``
    (whichever comes first; 0: now).

    Raises:
        WorkflowNotFoundError: No workflow with that id.
        TemporalUnavailableError: The server does not answer.
    """
    state = await describe_report(client, workflow_id)
    if timeout_s <= 0 or state.status != RUNNING or needs_person(state):
        return state
    try:
        async with asyncio.timeout(timeout_s), aclosing(
                watch(client, workflow_id, interval_s)) as snapshots:
            async for state in snapshots:
                if state.status != RUNNING or needs_person(state):
                    break
    except TimeoutError:
        pass
    return state
