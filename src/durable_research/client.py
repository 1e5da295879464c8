"""Connecting to Temporal and talking to report workflows (no printing here)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from temporalio.client import (
    Client,
    TLSConfig,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from durable_research import devserver
from durable_research.config import Settings
from durable_research.errors import (  # noqa: F401 - root_cause: part of the client API
    ConfigError,
    TemporalUnavailableError,
    UserError,
    WorkflowNotFoundError,
    root_cause,
)
from durable_research.shared import WORKFLOW_ID_PREFIX, ReportInput, ReportResult, ReportStatus
from durable_research.workflows.report import GenerateReportWorkflow


@dataclass
class Connection:
    """A client plus what was started to get it."""

    client: Client
    embedded: devserver.DevServerInfo | None = None


def _tls(settings: Settings) -> TLSConfig | bool:
    if not settings.uses_tls:
        return False

    def read(path: str, what: str) -> bytes | None:
        if not path:
            return None
        try:
            return Path(path).expanduser().read_bytes()
        except OSError as exc:
            raise ConfigError(f"Cannot read the {what} {path!r}: {exc.strerror}") from None

    return TLSConfig(
        server_root_ca_cert=read(settings.temporal_tls_ca, "TLS CA file (TEMPORAL_TLS_CA)"),
        client_cert=read(settings.temporal_tls_cert, "client certificate (TEMPORAL_TLS_CERT)"),
        client_private_key=read(settings.temporal_tls_key, "client key (TEMPORAL_TLS_KEY)"),
    )


async def connect(
    settings: Settings,
    allow_embedded: bool = True,
    on_event: Callable[[str], None] | None = None,
) -> Connection:
    """Connect to the configured Temporal; start the embedded server if allowed and needed.

    Every payload is encrypted by the settings' payload codec (``codec.data_converter``):
    this is the one place it is wired in; workers built from the client inherit it.

    Raises:
        TemporalUnavailableError: Nothing answers and no embedded server may be started.
        ConfigError: TLS files or the payload key are unreadable or malformed, or the
            address is malformed.
    """
    from durable_research.codec import data_converter

    converter = data_converter(settings)
    address = settings.temporal_address
    host, port = devserver.split_address(address)
    embedded: devserver.DevServerInfo | None = None
    local = devserver.is_local(address)
    if local and not devserver.port_open(host, port):
        if not (allow_embedded and settings.embedded == "auto"):
            raise TemporalUnavailableError(
                f"No Temporal server answers at {address}",
                "start one with `research server`, or check TEMPORAL_ADDRESS",
            )
        if on_event:
            on_event(f"No Temporal server at {address}; starting the embedded dev server")
        embedded = await asyncio.to_thread(
            devserver.start_dev_server,
            address,
            settings.data_path,
            settings.temporal_namespace,
            settings.ui_port,
            codec_endpoint=settings.ui_codec_endpoint,
        )
    tls = _tls(settings)
    # A server that just opened its port may need a moment before it serves RPCs.
    attempts = 40 if embedded else 1
    last: Exception | None = None
    for _ in range(attempts):
        try:
            client = await asyncio.wait_for(
                Client.connect(
                    address,
                    namespace=settings.temporal_namespace,
                    tls=tls,
                    api_key=settings.temporal_api_key or None,
                    data_converter=converter,
                ),
                timeout=15,
            )
            return Connection(client, embedded)
        except (RuntimeError, RPCError, TimeoutError) as exc:
            last = exc
            if attempts > 1:
                await asyncio.sleep(0.25)
    raise TemporalUnavailableError(
        f"Cannot connect to Temporal at {address} (namespace {settings.temporal_namespace!r})",
        f"{type(last).__name__}: {str(last)[:300]}; check TEMPORAL_ADDRESS, the TLS and "
        "API-key settings, or run `research server` for a local one",
    )


def new_workflow_id() -> str:
    """A fresh, readable workflow id."""
    return f"{WORKFLOW_ID_PREFIX}{uuid.uuid4().hex[:12]}"


async def start_report(
    client: Client, settings: Settings, params: ReportInput, workflow_id: str | None = None
) -> WorkflowHandle[GenerateReportWorkflow, ReportResult]:
    """Start ``GenerateReportWorkflow`` and return its handle."""
    return await client.start_workflow(
        GenerateReportWorkflow.run,
        params,
        id=workflow_id or new_workflow_id(),
        task_queue=settings.task_queue,
        # Shown by `research list` and the Web UI; the question is not a secret.
        memo={"question": params.prompt[:200]},
    )


@dataclass
class ReportSummary:
    """One line of ``research list``."""

    workflow_id: str
    status: str
    started: str
    question: str
    # Where a finished report lives: its store and key (or its path, for old reports).
    location: str = ""


def report_location(result: ReportResult) -> str:
    """Where a finished report's main file is: ``<store>/<key>`` or its local path."""
    if result.keys:
        return f"{result.store}: {result.keys[0]}" if result.store else result.keys[0]
    return result.pdf_path or (result.paths[0] if result.paths else "")


async def list_reports(client: Client, limit: int = 20) -> list[ReportSummary]:
    """Recent report workflows (the server's choice of ``limit``), newest start first."""
    found: list[ReportSummary] = []
    query = "WorkflowType = 'GenerateReportWorkflow'"
    async for wf in client.list_workflows(query, limit=limit):
        memo = await wf.memo()
        location = ""
        if wf.status == WorkflowExecutionStatus.COMPLETED:
            try:
                done = await client.get_workflow_handle(wf.id, result_type=ReportResult).result()
                location = report_location(done)
            except Exception:  # noqa: BLE001 - a list line without a location is still useful
                location = ""
        found.append(
            ReportSummary(
                workflow_id=wf.id,
                status=wf.status.name.lower() if wf.status else "unknown",
                started=wf.start_time.strftime("%Y-%m-%d %H:%M:%S"),
                question=str(memo.get("question", "")),
                location=location,
            )
        )
    return sorted(found, key=lambda r: r.started, reverse=True)


@dataclass
class ReportState:
    """What ``research status`` shows: server-side status plus the workflow's own view."""

    workflow_id: str
    status: str
    query: ReportStatus | None = None
    pending: list[str] = field(default_factory=list)
    failure: str = ""
    result: ReportResult | None = None


def _not_found(exc: RPCError, workflow_id: str) -> Exception:
    if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
        return WorkflowNotFoundError(
            f"No report workflow with id {workflow_id!r}",
            "`research list` shows recent ones; or check the id printed by `research start`",
        )
    return exc


# Ids people choose with --id: file-name and URL safe; "/" is reserved for the
# sub-question workflows (<report id>/q1).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def check_workflow_id(workflow_id: str) -> str:
    """A new workflow id as given with ``--id``.

    Raises:
        UserError: Empty, too long, or with characters other than letters, digits, ``._-``.
    """
    if not _ID.fullmatch(workflow_id):
        raise UserError(
            f"Invalid workflow id {workflow_id[:80]!r}",
            "use up to 200 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return workflow_id


async def describe_report(
    client: Client, workflow_id: str, with_query: bool | None = None
) -> ReportState:
    """Read a workflow's status, its ``status`` query and its pending activities.

    Args:
        client: A connected client.
        workflow_id: The report's workflow id.
        with_query: Ask the workflow itself (needs a worker to answer). Default: only
            while it runs; a closed one is described by its result or failure instead.

    Raises:
        WorkflowNotFoundError: No workflow with that id.
    """
    if not workflow_id.strip():
        raise WorkflowNotFoundError("The workflow id is empty",
                                    "`research list` shows recent ones")
    handle = client.get_workflow_handle(workflow_id)
    try:
        desc = await handle.describe()
    except RPCError as exc:
        raise _not_found(exc, workflow_id) from exc
    status = desc.status.name.lower() if desc.status else "unknown"
    state = ReportState(workflow_id, status)
    running = desc.status == WorkflowExecutionStatus.RUNNING
    if with_query or (with_query is None and running):
        try:
            # The RPC deadline, not asyncio.wait_for: a cancelled in-flight query would
            # still be awaited until the server gives up on it.
            state.query = await handle.query(
                GenerateReportWorkflow.status, rpc_timeout=timedelta(seconds=5)
            )
        except Exception:  # noqa: BLE001 - no worker answers: show the rest
            state.query = None
    if desc.status == WorkflowExecutionStatus.COMPLETED:
        state.result = await client.get_workflow_handle(
            workflow_id, result_type=ReportResult
        ).result()
    for act in desc.raw_description.pending_activities:
        line = f"{act.activity_type.name}: attempt {act.attempt}"
        if act.last_failure.message:
            line += f", last failure: {act.last_failure.message[:200]}"
        state.pending.append(line)
    if desc.status == WorkflowExecutionStatus.FAILED:
        try:
            await handle.result()
        except WorkflowFailureError as exc:
            state.failure = root_cause(exc)
    return state


# A poller the server saw this recently counts as a running worker (a long poll lasts
# up to 60 s; the server lists pollers seen in the last minutes).
RECENT_POLL_S = 75.0


async def workers_polling(client: Client, task_queue: str, activities: bool = False) -> int:
    """How many workers poll ``task_queue`` right now (for workflow or activity tasks)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    resp = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY if activities
            else TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        timeout=timedelta(seconds=5),
    )
    now = time.time()
    return sum(1 for p in resp.pollers if now - p.last_access_time.ToSeconds() < RECENT_POLL_S)


async def require_worker(client: Client, workflow_id: str) -> None:
    """Refuse at once, instead of hanging, when no worker could handle an Update.

    Raises:
        UserError: No worker polls the workflow's task queue.
    """
    handle = client.get_workflow_handle(workflow_id)
    try:
        desc = await handle.describe()
        queue = desc.raw_description.execution_config.task_queue.name
        polling = await workers_polling(client, queue)
    except RPCError:
        return  # the Update itself will report what is wrong
    if not polling:
        raise UserError(
            f"No worker is running for task queue {queue!r}, so report {workflow_id} cannot "
            "act on this now",
            "start one with `research worker` (or `research result ID`, which hosts one)",
        )


async def report_result(client: Client, workflow_id: str) -> ReportResult:
    """Wait for and return a report's result.

    Raises:
        WorkflowNotFoundError: No workflow with that id.
        WorkflowFailureError: The workflow failed (see ``root_cause``).
    """
    if not workflow_id.strip():
        raise WorkflowNotFoundError("The workflow id is empty")
    handle = client.get_workflow_handle(workflow_id, result_type=ReportResult)
    try:
        await handle.describe()
    except RPCError as exc:
        raise _not_found(exc, workflow_id) from exc
    return await handle.result()
