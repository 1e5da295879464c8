"""The Temporal worker: hosts the report workflows and their activities."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import (
    FixedSizeSlotSupplier,
    Interceptor,
    ResourceBasedSlotConfig,
    ResourceBasedSlotSupplier,
    ResourceBasedTunerConfig,
    Worker,
    WorkerTuner,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from durable_research import __version__
from durable_research.activities import pools, procpool
from durable_research.activities.agent import AgentActivities
from durable_research.activities.base import WithSettings
from durable_research.activities.changes import ChangesActivities
from durable_research.activities.checking import CheckingActivities
from durable_research.activities.email import EmailActivities
from durable_research.activities.heartbeat import HeartbeatWhileRunning
from durable_research.activities.llm import LlmActivities
from durable_research.activities.pdf import PdfActivities
from durable_research.activities.research import ResearchActivities
from durable_research.activities.run_guard import OwnRunsOnly
from durable_research.activities.tools import ToolActivities
from durable_research.activities.writing import WritingActivities
from durable_research.config import CpuPool, Settings
from durable_research.heap import freeze_startup_heap
from durable_research.llm.clients import loop_clients
from durable_research.workflows.agent import ResearchAgentWorkflow
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.subquestion import ResearchQuestionWorkflow

# Modules imported once per worker instead of once per workflow run (the sandbox
# re-imports every module it does not pass through, for each run): deterministic data
# types, prompts and parsers (the contract's dataclasses and pydantic were most of a worker's
# event-loop CPU per report, bench/throughput.py --profile), and the workflow modules
# themselves (the first workflow task of a report: 10.5 -> 6.4 ms, bench goal 5). A
# passed-through module sees the real ``time``/``datetime``/``random``, so the sandbox
# no longer catches a call to them in this worker; tests/unit/workflows/test_workflow_code.py checks
# the workflow modules' imports and calls statically (every code path, not only the
# exercised ones), and the replay tests run the workflows in Temporal's default,
# fully restricted sandbox. Builtins such as ``open`` stay blocked inside workflows.
# litellm is never imported by workflow code, but its log filter imports its submodules
# lazily from whatever runs on the worker's thread, at times inside a workflow task (an
# asyncio task of its logging worker collected there logs "destroyed but pending"): the
# sandbox re-imported litellm for it and refused the ``os.getenv`` of its first line.
PASSTHROUGH_MODULES: tuple[str, ...] = (
    "durable_research.contract",
    "durable_research.research",
    "durable_research.errors",
    "durable_research.llm.prompts",
    "durable_research.workflows",
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "litellm",
)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox with :data:`PASSTHROUGH_MODULES` imported once per worker."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    return SandboxedWorkflowRunner(restrictions=restrictions)


MIN_ACTIVITY_SLOTS = 20


def activity_tuner(concurrency: int) -> WorkerTuner:
    """Up to ``concurrency`` activities, taken on only while the machine has CPU to spare.

    A fixed number of slots sized for waiting LLM calls lets a busy worker accept more
    work than it can start: accepted attempts then wait seconds inside the process,
    miss their heartbeat deadline and are run twice (measured: 3 in 20 PDF and mail
    steps timed out in a burst of 200 reports with a 1 s LLM on 2 cores). Slots are
    granted while CPU use is under the target; tasks not taken yet wait on the
    server, where no timeout runs.
    """
    activities = ResourceBasedSlotSupplier(
        # Always as many as the fixed 20 slots of before, whatever else uses the CPU.
        ResourceBasedSlotConfig(minimum_slots=min(concurrency, MIN_ACTIVITY_SLOTS),
                                maximum_slots=concurrency, ramp_throttle=timedelta(0)),
        ResourceBasedTunerConfig(target_memory_usage=0.9, target_cpu_usage=0.85),
    )
    fixed = FixedSizeSlotSupplier(100)
    return WorkerTuner.create_composite(workflow_supplier=fixed, activity_supplier=activities,
                                        local_activity_supplier=fixed, nexus_supplier=fixed)


def default_activities(settings: Settings) -> dict[str, Callable[..., Any]]:
    """Every activity of the report workflows by name, bound to the worker's settings."""
    research = ResearchActivities(settings)
    writing = WritingActivities(settings)
    checking = CheckingActivities(settings)
    return {
        "llm_call": LlmActivities(settings).llm_call,
        "create_pdf": PdfActivities(settings).create_pdf,
        "send_email": EmailActivities(settings).send_email,
        "research_sources": research.research_sources,
        "search": research.search,
        "fetch_page": research.fetch_page,
        "fetch_pages": research.fetch_pages,
        "take_notes": writing.take_notes,
        "write_section": writing.write_section,
        "read_text": writing.read_text_activity,
        "compare_notes": checking.compare_notes,
        "check_citations": checking.check_citations,
        "prepare_check": checking.prepare_check,
        "agent_turn": AgentActivities(settings).agent_turn,
        "agent_tool": ToolActivities(settings).agent_tool,
        "report_changes": ChangesActivities(settings).report_changes,
    }


class AppWorker(Worker):
    """The report worker: when it stops, its activities' connections close with it, and
    litellm's connections of its event loop once no other worker uses that loop. It owns
    the process pool of its CPU-bound steps (:mod:`activities.procpool`), if given a size:
    started with it, warmed once it polls, shut down when it stops.

    The activity objects open resources on first use (the page fetcher's keep-alive
    HTTP connections, idle SMTP connections); a process that hosts a worker for a
    while and goes on (``research result``, the web page, a test) would otherwise keep
    the sockets open until the objects are collected, each a ``ResourceWarning``.
    """

    def __init__(self, client: Client, *, owners: Sequence[WithSettings] = (),
                 cpu_processes: int = 0, **options: Any) -> None:
        """A :class:`Worker` of ``options`` that closes ``owners`` when it stops and runs
        its CPU-bound steps in ``cpu_processes`` processes (0: in threads)."""
        super().__init__(client, **options)
        self._owners = tuple(owners)
        self._cpu_processes = cpu_processes

    async def run(self) -> None:
        """Run as :meth:`Worker.run` (also what ``async with`` runs), then close the
        activities' resources however it ended, and litellm's clients of this loop once no
        other worker on it runs (:mod:`durable_research.llm.clients`)."""
        async with loop_clients():
            warm = None
            if self._cpu_processes:
                procpool.start(self._cpu_processes)
                warm = asyncio.ensure_future(self._warm_when_polling())
            try:
                await super().run()
            finally:
                if warm is not None:
                    warm.cancel()
                await close_activities(self._owners)
                if self._cpu_processes:
                    await procpool.stop()

    async def _warm_when_polling(self) -> None:
        # After polling starts (goal 1: a worker polls <= 1.5 s after its start): the fork
        # server's imports and the children's warm-up take CPU the connection needs. And
        # after litellm's import, which the first report's first step waits for (a first
        # run's PDF: 7.4 s against 5.4 s when the pool's start-up competed with it); the
        # steps run in threads until the children are up.
        from durable_research.llm.calls import load_litellm

        while not self.is_running:
            if self.is_shutdown:
                return
            await asyncio.sleep(0.05)
        await load_litellm()
        await procpool.warm()


async def close_activities(owners: Sequence[WithSettings]) -> None:
    """Close every owner's resources; one that fails to close does not keep the others
    open (it is logged: the worker is stopping, there is no one else to tell)."""
    results = await asyncio.gather(*(o.aclose() for o in owners), return_exceptions=True)
    for owner, result in zip(owners, results, strict=True):
        if isinstance(result, Exception):
            logging.getLogger(__name__).warning(
                "closing %s failed: %s", type(owner).__name__, result)


def activity_owners(activities: Sequence[Callable[..., Any]]) -> list[WithSettings]:
    """The activity objects behind ``activities`` (bound methods), once each."""
    owners: list[WithSettings] = []
    for fn in activities:
        owner = getattr(fn, "__self__", None)
        if isinstance(owner, WithSettings) and not any(owner is o for o in owners):
            owners.append(owner)
    return owners


def worker_client(client: Client, settings: Settings) -> Client:
    """``client`` (same connection) with the codec a worker decodes with: payloads in the
    old encryption format 1 are refused unless the settings accept them
    (:func:`durable_research.payloads.codec.worker_data_converter`)."""
    from durable_research.payloads.codec import worker_data_converter

    converter = worker_data_converter(client.data_converter, settings)
    if converter is client.data_converter:
        return client
    config = client.config()
    config["data_converter"] = converter
    return Client(**config)


def cpu_processes(settings: Settings) -> int:
    """The processes of a worker's CPU pool (``WORKER_CPU_THREADS``, or the cores; 0 with
    ``WORKER_CPU_POOL=threads``)."""
    if CpuPool(settings.worker_cpu_pool) is not CpuPool.PROCESSES:
        return 0
    return settings.worker_cpu_threads or pools.cpu_threads()


def build_worker(
    client: Client,
    settings: Settings,
    task_queue: str | None = None,
    activities: Sequence[Callable[..., Any]] | None = None,
    interceptors: Sequence[Interceptor] = (),
    max_concurrent_activities: int | None = None,
    workflows: Sequence[type] | None = None,
) -> Worker:
    """Create a worker for the report workflow and its activities.

    Args:
        client: A connected Temporal client.
        settings: Worker-side settings (LLM key, SMTP, output dir).
        task_queue: Overrides ``settings.task_queue``.
        activities: Replaces the default activity callables (tests use this).
        interceptors: Worker interceptors (e.g. tracing).
        max_concurrent_activities: How many activities run at once in this process
            (default ``settings.worker_io_concurrency``).
        workflows: Replaces the report workflows (the bench's baseline uses this).

    Returns:
        The worker, not yet running; it closes the activities' resources when it stops.
    """
    if activities is None:
        activities = list(default_activities(settings).values())
    pools.configure(cpu_threads=settings.worker_cpu_threads)
    freeze_startup_heap()
    concurrency = max(1, max_concurrent_activities or settings.worker_io_concurrency)
    return AppWorker(
        worker_client(client, settings),
        owners=activity_owners(activities),
        cpu_processes=cpu_processes(settings),
        task_queue=task_queue or settings.task_queue,
        workflows=list(workflows or [GenerateReportWorkflow, ResearchQuestionWorkflow,
                                      ResearchAgentWorkflow]),
        activities=list(activities),
        # The app's activities are async: LLM calls and mails wait on the network, so
        # the slots are sized for waiting, and their blocking parts run in
        # activities.pools (rendering bounded by the cores). Threads only for a
        # synchronous activity passed in (tests); they start on first use.
        activity_executor=(
            ThreadPoolExecutor(max_workers=concurrency)
            if any(not inspect.iscoroutinefunction(a) for a in activities) else None
        ),
        tuner=activity_tuner(concurrency),
        # Outermost first: the run check is heartbeated like the activity it guards.
        interceptors=[HeartbeatWhileRunning(), OwnRunsOnly(client), *interceptors],
        workflow_runner=workflow_runner(),
        # Given, so the SDK does not hash every loaded module's code at start-up
        # (about a second of a worker's start); worker versioning is not used.
        build_id=f"durable-research-{__version__}",
        # A killed worker's sticky queue is abandoned after 1 s instead of 5 s.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        graceful_shutdown_timeout=timedelta(seconds=5),
    )
