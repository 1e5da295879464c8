"""Following a report: an async iterator of status snapshots (the CLI and web print them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from temporalio.client import Client
from temporalio.service import RPCError

from durable_research.client.reports import RUNNING, ReportState, describe_report
from durable_research.errors import UserError


async def watch(
    client: Client, workflow_id: str, interval_s: float = 0.5
) -> AsyncGenerator[ReportState, None]:
    """Yield a snapshot whenever something visible changed, until the report closes.

    The last snapshot has the closed status (with the result or the failure). A
    transient RPC error skips one round instead of ending the watch.

    Raises:
        WorkflowNotFoundError: No workflow with that id (checked at once).
    """
    previous: tuple[object, ...] | None = None
    state = await describe_report(client, workflow_id)
    while True:
        key = _fingerprint(state)
        if key != previous:
            previous = key
            yield state
        if state.status != RUNNING:
            return
        await asyncio.sleep(interval_s)
        try:
            state = await describe_report(client, workflow_id)
        except (RPCError, UserError):
            continue


def _fingerprint(state: ReportState) -> tuple[object, ...]:
    q = state.query
    if q is None:
        return (state.status, tuple(state.pending), state.failure)
    research = q.research
    return (state.status, q.step, len(q.history), q.versions, q.usage.total_tokens,
            tuple(state.pending), state.failure,
            repr(research) if research is not None else "")
