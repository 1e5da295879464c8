"""Starting, listing, describing and awaiting report workflows (no printing here)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from temporalio.api.failure.v1 import Failure
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from durable_research.config import Settings
from durable_research.contract.report import (
    ID_PATTERN,
    SCHEDULED_RUN_PREFIX,
    WORKFLOW_ID_PREFIX,
    ReportInput,
    ReportResult,
    ReportStatus,
    RunStatus,
    scheduled_action_of,
)
from durable_research.errors import (
    ReportEndedError,
    TemporalUnavailableError,
    UserError,
    WorkflowNotFoundError,
    failure_text,
)

# ReportState.status of a report still going.
RUNNING = RunStatus.RUNNING

# By name, not by importing the workflow module: a client (the CLI) starts in a fraction
# of a second instead of importing the workflows' research code.
REPORT_WORKFLOW = "GenerateReportWorkflow"
# A server that went away is reported after this, not after the SDK's own retries (~9 s):
# the CLI and the web page then say "Temporal unreachable" promptly.
DESCRIBE_TIMEOUT = timedelta(seconds=4)


# The memo key of a report's question (shown by `research list` and the web page).
MEMO_QUESTION = "question"
# Characters of the question kept in the memo.
MEMO_QUESTION_CHARS = 200


def report_memo(params: ReportInput) -> dict[str, str]:
    """What a report's memo records: its question (not a secret; shown in lists)."""
    return {MEMO_QUESTION: params.prompt[:MEMO_QUESTION_CHARS]}


def run_status(status: WorkflowExecutionStatus | None) -> RunStatus:
    """The server's execution status as a :class:`RunStatus` (its name, lower-cased).

    Raises:
        ValueError: A status this version does not know (a newer server's).
    """
    return RunStatus(status.name.lower()) if status else RunStatus.UNKNOWN


def new_workflow_id() -> str:
    """A fresh, readable workflow id."""
    return f"{WORKFLOW_ID_PREFIX}{uuid.uuid4().hex[:12]}"


async def start_report(
    client: Client, settings: Settings, params: ReportInput, workflow_id: str | None = None
) -> WorkflowHandle[Any, ReportResult]:
    """Start ``GenerateReportWorkflow`` and return its handle.

    Raises:
        UserError: ``workflow_id`` is not one a report may have (``/`` marks a child's).
    """
    if workflow_id is not None:
        check_workflow_id(workflow_id)
    return await client.start_workflow(
        REPORT_WORKFLOW,
        params,
        result_type=ReportResult,
        id=workflow_id or new_workflow_id(),
        task_queue=settings.task_queue,
        # Shown by `research list` and the Web UI; the question is not a secret.
        memo=report_memo(params),
    )


@dataclass
class ReportSummary:
    """One line of ``research list``."""

    workflow_id: str
    status: RunStatus
    started: str
    question: str
    # Where a finished report lives: its store and key (or its path, for old reports).
    location: str = ""


def report_location(result: ReportResult) -> str:
    """Where a finished report's main file is: ``<store>/<key>`` or its local path."""
    if result.keys:
        return f"{result.store}: {result.keys[0]}" if result.store else result.keys[0]
    return result.pdf_path or (result.paths[0] if result.paths else "")


class _HasMemo(Protocol):
    async def memo(self) -> Mapping[str, Any]: ...


async def memo_question(workflow: _HasMemo, unreadable: str) -> str:
    """The question the starter recorded in the memo, or ``unreadable`` when this client
    cannot decode it (e.g. encrypted with a key it lacks): a report is still listed and
    described without it."""
    try:
        return str((await workflow.memo()).get(MEMO_QUESTION, ""))
    except Exception:  # noqa: BLE001 - any decode failure: the rest of the report stands
        return unreadable


# The most reports one list shows, in every front end (CLI, HTTP API, MCP).
MAX_LIST = 1000


async def list_reports(client: Client, limit: int = 20) -> list[ReportSummary]:
    """Recent report workflows (the server's choice of ``limit``), newest start first."""
    found: list[ReportSummary] = []
    query = f"WorkflowType = '{REPORT_WORKFLOW}'"
    async for wf in client.list_workflows(query, limit=limit):
        question = await memo_question(
            wf, "(question not readable with this client's payload key)")
        location = ""
        status = run_status(wf.status)
        if wf.status == WorkflowExecutionStatus.COMPLETED:
            try:
                done = await client.get_workflow_handle(wf.id, result_type=ReportResult).result()
                location = report_location(done)
                # "rejected" is a completed workflow without a report.
                status = RunStatus(done.status)
            except Exception:  # noqa: BLE001 - a list line without a location is still useful
                location = ""
        found.append(
            ReportSummary(
                workflow_id=wf.id,
                status=status,
                started=wf.start_time.strftime("%Y-%m-%d %H:%M:%S"),
                question=question,
                location=location,
            )
        )
    return sorted(found, key=lambda r: r.started, reverse=True)


# How a pending activity's line in ReportState.pending names its last failure: one that
# failed is being retried (the progress of `research run` says so).
LAST_FAILURE = ", last failure: "


@dataclass
class ReportState:
    """What ``research status`` shows: server-side status plus the workflow's own view."""

    workflow_id: str
    status: RunStatus
    query: ReportStatus | None = None
    pending: list[str] = field(default_factory=list)
    failure: str = ""
    result: ReportResult | None = None
    # The question as the starter's memo recorded it (shown by the web page).
    question: str = ""
    # The queue its workflow tasks go to (whether a worker could act on it now).
    task_queue: str = ""
    # Why the server gave no newer state ("" when it answered): a watch's snapshot while
    # the server is away repeats the last one it gave, with this said.
    unreachable: str = ""


def _not_found(exc: RPCError, workflow_id: str) -> Exception:
    if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
        return WorkflowNotFoundError(
            f"No report workflow with id {workflow_id!r}",
            "`research list` shows recent ones; or check the id printed by `research start`",
        )
    return exc


# Ids people choose with --id (and schedules' ids): file-name and URL safe; "/" is reserved
# for the sub-question workflows (<report id>/q1), which share their report's store folder.
_ID = re.compile(ID_PATTERN)


def check_workflow_id(workflow_id: str) -> str:
    """A new workflow id as given with ``--id``.

    Raises:
        UserError: Empty, too long, or with characters other than letters, digits, ``._-``
            (a ``/`` would make the id a child of another report: issue 25).
    """
    if not _ID.fullmatch(workflow_id):
        raise UserError(
            f"Invalid workflow id {workflow_id[:80]!r}",
            "use up to 200 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    if workflow_id.startswith(SCHEDULED_RUN_PREFIX):
        raise UserError(f"Workflow ids starting with {SCHEDULED_RUN_PREFIX!r} are reserved "
                        "for scheduled reports", "choose another --id")
    return workflow_id


def refuse_ended_without_report(state: ReportState) -> None:
    """A report that ended without its result (cancelled, failed, terminated) will never
    have one: asking for its files is answered so, not "no file (yet)" to wait on.

    Raises:
        ReportEndedError: It has ended without a result.
    """
    if state.result is None and state.status != RUNNING:
        raise ReportEndedError(f"Report {state.workflow_id} ended ({state.status}) without a "
                               "report", state.workflow_id)


def check_report_id(workflow_id: str) -> str:
    """The id of an existing report: one ``--id`` may give, or a scheduled run's.

    Raises:
        UserError: Neither.
    """
    if scheduled_action_of(workflow_id) is None:
        check_workflow_id(workflow_id)
    return workflow_id


async def describe_report(
    client: Client, workflow_id: str, with_query: bool | None = None
) -> ReportState:
    """Read a workflow's status, its ``status`` query and its pending activities.

    Args:
        client: A connected client.
        workflow_id: The report's workflow id.
        with_query: Ask the workflow itself (needs a worker to answer). Default: unless
            it completed (a completed one is described by its result).

    Raises:
        WorkflowNotFoundError: No workflow with that id.
        TemporalUnavailableError: The server did not answer within ``DESCRIBE_TIMEOUT``.
    """
    if not workflow_id.strip():
        raise WorkflowNotFoundError("The workflow id is empty",
                                    "`research list` shows recent ones")
    handle = client.get_workflow_handle(workflow_id)
    try:
        # asyncio's deadline, not rpc_timeout: the SDK retries a refused connection for
        # ~10 s whatever the RPC deadline; a describe is a read, safe to abandon.
        desc = await asyncio.wait_for(handle.describe(), DESCRIBE_TIMEOUT.total_seconds())
    except TimeoutError:
        raise TemporalUnavailableError(
            f"The Temporal server did not answer within {DESCRIBE_TIMEOUT.seconds} s",
            "is it running? (`research server`, or check TEMPORAL_ADDRESS)",
        ) from None
    except RPCError as exc:
        raise _not_found(exc, workflow_id) from exc
    status = run_status(desc.status)
    state = ReportState(workflow_id, status,
                        task_queue=desc.raw_description.execution_config.task_queue.name)
    state.question = await memo_question(desc, "")
    running = desc.status == WorkflowExecutionStatus.RUNNING
    # By default the workflow is asked unless it completed (its result says it all): while
    # it runs, and once cancelled, failed or terminated, for how far it got (a worker
    # answers a closed run's query too; none answering costs the query's deadline).
    if with_query or (with_query is None and desc.status != WorkflowExecutionStatus.COMPLETED):
        try:
            # The RPC deadline, not asyncio.wait_for: a cancelled in-flight query would
            # still be awaited until the server gives up on it.
            state.query = await handle.query(
                "status", result_type=ReportStatus, rpc_timeout=timedelta(seconds=5)
            )
        except Exception:  # noqa: BLE001 - no worker answers: show the rest
            state.query = None
    if desc.status == WorkflowExecutionStatus.COMPLETED:
        state.result = await client.get_workflow_handle(
            workflow_id, result_type=ReportResult
        ).result()
    # A closed run's description still lists the activities pending when it closed
    # (cancelled mid-step): none of them runs any more, so none is shown as running.
    for act in desc.raw_description.pending_activities if running else ():
        line = f"{act.activity_type.name}: attempt {act.attempt}"
        if act.HasField("last_failure"):
            line += f"{LAST_FAILURE}{(await failure_message(client, act.last_failure))[:200]}"
        state.pending.append(line)
    if desc.status == WorkflowExecutionStatus.FAILED:
        try:
            await handle.result()
        except WorkflowFailureError as exc:
            state.failure = failure_text(exc)
    return state


async def failure_message(client: Client, failure: Failure) -> str:
    """A failure's message as this client reads it: with a payload key, messages travel
    encrypted (``Encoded failure`` in the history) and the client's codec opens them."""
    copied = Failure()
    copied.CopyFrom(failure)  # decoded in place
    try:
        return str(await client.data_converter.decode_failure(copied)) or failure.message
    except Exception:  # noqa: BLE001 - not readable with this key: what the history says
        return failure.message


async def report_result(client: Client, workflow_id: str) -> ReportResult:
    """Wait for and return a report's result.

    Raises:
        WorkflowNotFoundError: No workflow with that id.
        WorkflowFailureError: The workflow failed (see ``failure_text``).
    """
    if not workflow_id.strip():
        raise WorkflowNotFoundError("The workflow id is empty")
    handle: WorkflowHandle[Any, ReportResult] = client.get_workflow_handle(
        workflow_id, result_type=ReportResult)
    try:
        await handle.describe()
    except RPCError as exc:
        raise _not_found(exc, workflow_id) from exc
    return await handle.result()


async def cancel_report(client: Client, workflow_id: str) -> None:
    """Ask a running report to stop (its running activity hears it through heartbeats).

    Raises:
        WorkflowNotFoundError: No workflow with that id.
        ReportEndedError: It is not running.
    """
    state = await describe_report(client, workflow_id, with_query=False)
    if state.status != RUNNING:
        raise ReportEndedError(f"Workflow {workflow_id} is not running (status: "
                               f"{state.status})", workflow_id, lead="nothing to cancel; ")
    await client.get_workflow_handle(workflow_id).cancel()
