"""Shared helpers of the bench scripts: servers, worker processes, history and PDF checks.

Everything here is real: the Temporal dev server binary (SQLite), worker
subprocesses, the fake OpenAI-compatible HTTP server and an aiosmtpd SMTP sink.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from durable_research.embedded import devserver, local_worker
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from durable_research.testing.temporal import connect_retrying, kill_dev_server

ROOT = Path(__file__).resolve().parents[1]
# One payload key for the bench and every worker process it starts (they inherit the
# environment, see worker_env): payloads are encrypted as in production.
if not (os.environ.get("RESEARCH_PAYLOAD_KEY") or os.environ.get("RESEARCH_PAYLOAD_KEY_FILE")):
    from durable_research.payloads.codec import new_key

    os.environ["RESEARCH_PAYLOAD_KEY"] = new_key()
WORKER_SCRIPT = Path(__file__).resolve().parent / "_worker.py"


def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, linear interpolation; nan if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def p50_p95(values: list[float], unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
    """Format ``p50 x  p95 y  (n=..)`` for a list of measurements."""
    if not values:
        return "n/a"
    p50, p95 = pct(values, 50) * scale, pct(values, 95) * scale
    mean = statistics.fmean(values) * scale
    d = digits
    return f"p50 {p50:.{d}f} {unit}  p95 {p95:.{d}f} {unit}  mean {mean:.{d}f} {unit}"


def machine() -> str:
    """Cores and load average now: benchmarks on a shared 2-core box need this context."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} at start"


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started and theirs (a worker's CPU process pool: its fork
    server and children), from /proc's children lists; their CPU is the worker's too."""
    found: list[int] = []
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue  # ended meanwhile
            found += kids
            todo += kids
    return found


def start_fake_llm(delay: float = 0.0) -> FakeLLM:
    """Start the fake LLM (it ignores clients that die mid-answer: killed workers)."""
    return FakeLLM(delay=delay).start()


def run_main(main: Coroutine[Any, Any, int]) -> int:
    """``asyncio.run`` with SIGTERM/SIGINT cancelling the main task, so cleanup runs."""

    async def wrapper() -> int:
        task = asyncio.ensure_future(main)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            print("interrupted; cleaned up", file=sys.stderr)
            return 130

    return asyncio.run(wrapper())


# ----- Temporal dev server -----------------------------------------------------------


class DevServer:
    """The app's embedded dev server on a free port with its own SQLite file."""

    def __init__(self, data_dir: Path) -> None:
        """Prepare (not start) a server persisting to ``data_dir/temporal.sqlite``."""
        self.data_dir = data_dir
        self.address = f"127.0.0.1:{free_port()}"

    def start(self) -> None:
        """Start (or restart on the same SQLite file) and wait for the port."""
        devserver.start_dev_server(self.address, self.data_dir, headless=True)

    def kill(self) -> None:
        """SIGKILL the server and reap it."""
        kill_dev_server(self.data_dir)

    def stop(self) -> None:
        """Stop gracefully (end of a bench run)."""
        local_worker.stop_embedded(self.data_dir)


async def connect(address: str) -> Client:
    """Connect to Temporal, retrying while the server (re)starts."""
    return await connect_retrying(address)


# ----- worker processes --------------------------------------------------------------


def user_env(tmp: Path, fake: FakeLLM) -> dict[str, str]:
    """A user's environment for a `research` command: the fake LLM as the provider, a
    fresh data and output folder under ``tmp``, a server port of its own, and none of
    this shell's LLM, Temporal, SMTP or research settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_", "RESEARCH_"))}
    env.update(RESEARCH_DATA_DIR=str(tmp / "data"), RESEARCH_OUTPUT_DIR=str(tmp / "out"),
               RESEARCH_ENV_FILE="/nonexistent/.env", RESEARCH_CONFIG_FILE="/nonexistent/c.env",
               EMAIL_TO="", TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
               LLM_MODEL="openai/fake-model", LLM_API_BASE=fake.api_base,
               LLM_API_KEY="sk-fake", LITELLM_LOCAL_MODEL_COST_MAP="True")
    return env


def worker_env(
    address: str, task_queue: str, fake: FakeLLM, tmp: Path, smtp_port: int = 0
) -> dict[str, str]:
    """Environment for a worker process: fake LLM, local SMTP, bench dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_"))}
    env.update(
        LLM_MODEL="openai/fake-model", LLM_API_KEY="bench-key", LLM_API_BASE=fake.api_base,
        LLM_TIMEOUT="120", TEMPORAL_ADDRESS=address, TEMPORAL_TASK_QUEUE=task_queue,
        RESEARCH_DATA_DIR=str(tmp / "worker-data"), RESEARCH_OUTPUT_DIR=str(tmp / "reports"),
        RESEARCH_EMBEDDED="never", RESEARCH_ENV_FILE="/nonexistent/.env",
        RESEARCH_CONFIG_FILE="/nonexistent/config.env", EMAIL_TO="",
        # The install's bytecode, as a user's worker has it (scripts/precompile.py): a
        # "cold" worker is a fresh process, not one compiling every module from source
        # (an empty PYTHONPYCACHEPREFIX did that: seconds of a cold report). Anything the
        # install missed is cached in the venv: with PYTHONDONTWRITEBYTECODE set, the
        # workflow sandbox would compile the workflow modules for every workflow run.
        PYTHONDONTWRITEBYTECODE="",
    )
    if smtp_port:
        env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), SMTP_SECURITY="none",
                   SMTP_FROM="bench@localhost")
    return env


class WorkerProc:
    """One worker subprocess (``bench/_worker.py``), started and killed by PID."""

    def __init__(self, env: dict[str, str], log: Path, args: list[str] | None = None) -> None:
        """Start the worker; call :meth:`wait_ready` before relying on it."""
        self._ready = log.with_name(f"ready-{time.monotonic_ns()}")
        cmd = [sys.executable, str(WORKER_SCRIPT), "--ready", str(self._ready), *(args or [])]
        self.started = time.time()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 300) -> float:
        """Block until the worker polls; returns the epoch time it became ready.

        The bound is generous on purpose: the signal is the ready file (and a worker that
        dies is seen at once), and the smoke test runs several bench scripts side by side on
        2 cores, where 90 s was once not enough for a worker to import and connect.
        """
        deadline = time.monotonic() + timeout
        while not self._ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early with code {self.proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("worker did not become ready")
            time.sleep(0.02)
        return time.time()

    @property
    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and reap it."""
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self) -> None:
        """SIGTERM the worker (a profiling worker writes its profile) and reap it."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


# ----- workflow histories ------------------------------------------------------------


def event_ts(event: Any) -> float:
    """When the server recorded a history event (epoch s)."""
    return float(event.event_time.seconds + event.event_time.nanos / 1e9)


def failure_kind(failure: Any) -> str:
    """Short kind of a Temporal failure proto: ``timeout:HEARTBEAT``, an error type, or ''."""
    if not failure.message and not failure.HasField("timeout_failure_info"):
        return ""
    if failure.HasField("timeout_failure_info"):
        kind = failure.timeout_failure_info.timeout_type
        return "timeout:" + re.sub(r"^TIMEOUT_TYPE_", "", _timeout_name(kind))
    if failure.HasField("application_failure_info"):
        return failure.application_failure_info.type or "ApplicationError"
    return "other"


def _timeout_name(value: int) -> str:
    from temporalio.api.enums.v1 import TimeoutType

    return str(TimeoutType.Name(TimeoutType.ValueType(value)))


@dataclass
class Step:
    """One activity of a workflow as the history records it (final attempt)."""

    name: str
    scheduled: float
    started: float = 0.0
    closed: float = 0.0
    attempt: int = 0
    previous_failure: str = ""
    completed: bool = False


async def steps(handle: WorkflowHandle[Any, Any]) -> list[Step]:
    """The workflow's activities in order, with times (epoch s), attempts and outcome."""
    return steps_of([ev async for ev in handle.fetch_history_events()])


def steps_of(events: list[Any]) -> list[Step]:
    """The activities of a fetched history, as :func:`steps`."""
    by_id: dict[int, Step] = {}
    for ev in events:
        t = ev.event_type
        if t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            by_id[ev.event_id] = Step(
                ev.activity_task_scheduled_event_attributes.activity_type.name, event_ts(ev)
            )
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            a = ev.activity_task_started_event_attributes
            step = by_id[a.scheduled_event_id]
            step.started, step.attempt = event_ts(ev), a.attempt
            step.previous_failure = failure_kind(a.last_failure)
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            step = by_id[ev.activity_task_completed_event_attributes.scheduled_event_id]
            step.closed, step.completed = event_ts(ev), True
    return list(by_id.values())


# ----- PDFs --------------------------------------------------------------------------


def pdf_contains(path: str | Path, *needles: str) -> bool:
    """Whether the PDF opens with pypdf and its text contains every needle."""
    try:
        reader = PdfReader(str(path))
        text = " ".join((page.extract_text() or "") for page in reader.pages)
    except Exception:  # noqa: BLE001 - any parse failure means "not a valid PDF"
        return False
    flat = " ".join(text.split())
    return all(" ".join(n.split()) in flat for n in needles)


def timed_run(cmd: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Run ``cmd`` (``research run``); seconds from spawn to the embedded server's start
    line (when it starts one), to "Started workflow", to the PDF line, to exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.perf_counter() - t0
        if "Embedded Temporal dev server started" in line:
            marks.setdefault("server", now)
        elif "Started workflow" in line:
            marks.setdefault("started", now)
        elif line.split()[:1] == ["PDF"]:
            marks.setdefault("pdf", now)
    proc.wait()
    marks["exit"] = time.perf_counter() - t0
    if proc.returncode != 0 or "pdf" not in marks:
        raise RuntimeError(f"{cmd} failed with code {proc.returncode}")
    return marks
