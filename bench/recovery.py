"""Recovery latency: a worker is SIGKILLed mid-LLM-call; how long until the call is retried?

Usage: python bench/recovery.py [--repeats 10] [--llm-heartbeat S] [--llm-retry-initial S]
       python bench/recovery.py --supervised [--workers 2]

Each repeat starts one report against a slow fake LLM, kills the worker at a random
moment of the call, immediately starts a new worker and times the way back:
the kill, the server noticing it (heartbeat timeout), the retry backoff, the new
worker picking the retry up (the fake LLM receives the call again), and the
workflow task after it (sticky-queue fallback). The tuning flags patch the
workflow's constants in the bench workers only (app defaults: ``LLM_STEP`` in
``workflows/report.py``, 5 s and 1 s).

``--supervised`` runs the embedded mode's supervisor (``durable_research.worker.supervisor``)
instead, with ``--workers`` active workers and its warm standby: the bench only kills
the worker running the call (found from the attempt's worker identity); the
supervisor fails the dead worker's attempts and promotes the standby. The time
lost is kill -> retried call (the retried call is instant and the rest of the
report is unchanged), to add to the interrupted call's elapsed time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import (
    DevServer,
    WorkerProc,
    connect,
    machine,
    p50_p95,
    pct,
    run_main,
    start_fake_llm,
    steps,
    worker_env,
)
from temporalio.client import Client, WorkflowHandle

from durable_research.contract.report import ReportInput, ReportResult
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.steps import LLM_STEP

SLOW_S = 120.0  # the first attempt never answers before the kill


async def wait_calls(fake: FakeLLM, above: int, timeout: float = 120) -> float:
    """Wait until the fake LLM has received more than ``above`` calls; epoch time then."""
    deadline = time.monotonic() + timeout
    while fake.calls <= above:
        if time.monotonic() > deadline:
            raise TimeoutError("the LLM call did not arrive")
        await asyncio.sleep(0.005)
    return time.time()


async def timeout_noticed(handle: WorkflowHandle[Any, Any], timeout: float = 60) -> float:
    """Epoch time the server failed attempt 1 (from the pending activity), polled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = await handle.describe()
        for act in desc.raw_description.pending_activities:
            if act.attempt >= 2:
                t = act.last_attempt_complete_time
                return t.seconds + t.nanos / 1e9 if t.seconds else time.time()
        await asyncio.sleep(0.02)
    return float("nan")


async def start_slow_call(r: int, client: Client, fake: FakeLLM, tq: str, out: Path
                          ) -> tuple[WorkflowHandle[Any, ReportResult], int]:
    """Start report ``r``; return once its (slow) LLM call reached the fake, with the fake's
    call count from before it."""
    fake.configure(delay=SLOW_S)
    calls0 = fake.calls
    params = ReportInput(prompt=f"Recovery question {r}: facts about tardigrades.",
                         output_dir=str(out))
    handle = await client.start_workflow(
        GenerateReportWorkflow.run, params, id=f"recovery-{tq}-{r}", task_queue=tq,
    )
    await wait_calls(fake, calls0)
    return handle, calls0


async def one_repeat(
    r: int, client: Client, fake: FakeLLM, spawn: WorkerWrap, tq: str, rng: random.Random,
    args: argparse.Namespace, out: Path,
) -> dict[str, float]:
    """Run one kill-and-recover cycle; returns its measured intervals (seconds)."""
    handle, calls0 = await start_slow_call(r, client, fake, tq, out)
    await asyncio.sleep(rng.uniform(args.kill_min, args.kill_max))
    fake.configure(delay=0.0)
    t_kill = time.time()
    spawn.current.kill()
    t_restart = time.time()
    spawn.current = spawn.new()
    noticed = asyncio.create_task(timeout_noticed(handle))
    t_ready = await asyncio.to_thread(spawn.current.wait_ready)
    t_resume = await wait_calls(fake, calls0 + 1)
    t_timeout = await noticed
    await asyncio.wait_for(handle.result(), 120)
    st = {s.name: s for s in await steps(handle)}
    llm, pdf = st["llm_call"], st["create_pdf"]
    return {
        "kill_to_timeout": t_timeout - t_kill,
        "timeout_to_call": t_resume - t_timeout,
        "restart_to_ready": t_ready - t_restart,
        "restart_to_call": t_resume - t_restart,
        "kill_to_call": t_resume - t_kill,
        "llm_done_to_next_step": pdf.scheduled - llm.closed,
        "worker_wait": max(0.0, t_ready - t_timeout - args.backoff),
        "attempt": float(llm.attempt),
    }


async def attempt_pid(handle: WorkflowHandle[Any, Any], timeout: float = 30) -> int:
    """The pid of the worker running the pending activity (identity ``pid@host``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = await handle.describe()
        for act in desc.raw_description.pending_activities:
            if act.last_worker_identity:
                return int(act.last_worker_identity.split("@", 1)[0])
        await asyncio.sleep(0.02)
    raise TimeoutError("no worker runs the activity")


async def supervised_repeat(
    r: int, client: Client, fake: FakeLLM, tq: str, rng: random.Random,
    args: argparse.Namespace, out: Path,
) -> dict[str, float]:
    """Kill the worker running the call; the supervisor does the rest."""
    handle, calls0 = await start_slow_call(r, client, fake, tq, out)
    pid = await attempt_pid(handle)
    elapsed = rng.uniform(args.kill_min, args.kill_max)
    await asyncio.sleep(elapsed)
    fake.configure(delay=0.0)
    t_kill = time.time()
    os.kill(pid, signal.SIGKILL)
    noticed = asyncio.create_task(timeout_noticed(handle))
    t_resume = await wait_calls(fake, calls0 + 1)
    t_timeout = await noticed
    await asyncio.wait_for(handle.result(), 120)
    t_done = time.time()
    st = {s.name: s for s in await steps(handle)}
    return {
        "kill_to_timeout": t_timeout - t_kill,
        "timeout_to_call": t_resume - t_timeout,
        "kill_to_call": t_resume - t_kill,
        "kill_to_done": t_done - t_kill,
        "llm_done_to_next_step": st["create_pdf"].scheduled - st["llm_call"].closed,
        "elapsed": elapsed,
    }


async def run_supervised(args: argparse.Namespace) -> int:
    """The embedded mode's supervisor with ``--workers`` workers and its standby."""
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    fake = start_fake_llm()
    server = DevServer(tmp / "server")
    server.start()
    tq = f"rec-{uuid.uuid4().hex[:8]}"
    backoff = (LLM_STEP.retry.initial_interval or timedelta(seconds=1)).total_seconds()
    print(f"recovery (supervised): {args.repeats} runs, {args.workers} worker(s) + a warm "
          f"standby under durable_research.worker.supervisor, LLM heartbeat timeout "
          f"{LLM_STEP.heartbeat.total_seconds():g} s, retry initial interval {backoff:g} s, "
          f"kill at {args.kill_min:g}-{args.kill_max:g} s into the call", flush=True)
    print(f"  machine: {machine()}", flush=True)
    env = worker_env(server.address, tq, fake, tmp)
    with open(tmp / "supervisor.log", "ab") as log:
        sup = subprocess.Popen(
            [sys.executable, "-m", "durable_research.worker.supervisor", "--data-dir",
             str(server.data_dir), "--workers", str(args.workers)],
            env=env, stdout=log, stderr=log)
    rows: list[dict[str, float]] = []
    try:
        client = await connect(server.address)
        tails = []  # undisturbed: LLM call done -> report done
        for w in range(3):
            warm = ReportInput(prompt=f"warm-up {w}", output_dir=str(tmp / "reports"))
            handle = await client.start_workflow(
                GenerateReportWorkflow.run, warm, id=f"warm-{tq}-{w}", task_queue=tq)
            await handle.result()
            closed = (await handle.describe()).close_time
            llm = next(s for s in await steps(handle) if s.name == "llm_call")
            tails.append(closed.timestamp() - llm.closed if closed else 0.0)
        tail = pct(tails, 50)
        for r in range(args.repeats):
            await asyncio.sleep(1.5)  # the standby of the last kill finishes importing
            row = await supervised_repeat(r, client, fake, tq, rng, args, tmp / "reports")
            row["lost"] = row["kill_to_done"] - tail
            rows.append(row)
            print(f"  run {r + 1:2d}: killed {row['elapsed']:4.1f} s into the call; "
                  f"kill->retried call {row['kill_to_call']:5.2f} s (attempt failed after "
                  f"{row['kill_to_timeout']:4.2f} s), kill->report done "
                  f"{row['kill_to_done']:5.2f} s", flush=True)
    finally:
        sup.send_signal(signal.SIGTERM)
        sup.wait(timeout=60)
        if args.verbose:
            print((tmp / "supervisor.log").read_text(errors="replace")[-4000:])
        server.stop()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def col(key: str) -> list[float]:
        return [row[key] for row in rows]

    for key, label in (("lost", "time lost: kill -> done minus the undisturbed tail"),
                       ("kill_to_call", "  kill -> retried LLM call"),
                       ("kill_to_timeout", "  kill -> attempt failed (supervisor)"),
                       ("timeout_to_call", f"  failed -> retried call (backoff {backoff:g} s "
                                           "+ pickup)"),
                       ("kill_to_done", "kill -> report done"),
                       ("llm_done_to_next_step", "LLM done -> next step scheduled")):
        print(f"  {label:<52} {p50_p95(col(key))}")
    print(f"  (undisturbed tail, LLM done -> report done: p50 {tail:.2f} s)")
    lost = pct(col("lost"), 50)
    limit = 3.0 if args.workers == 1 else 2.0
    print(f"  goal 4 ({args.workers} worker(s)): time lost p50 {lost:.2f} s plus the call's "
          f"elapsed time (goal <= {limit:g} s: {'met' if lost <= limit else 'NOT met'})")
    return 0


class WorkerWrap:
    """The current worker process and how to make a new one."""

    def __init__(self, env: dict[str, str], log: Path, worker_args: list[str]) -> None:
        """Start the first worker (not yet waited for)."""
        self.env, self.log, self.args = env, log, worker_args
        self.current = self.new()

    def new(self) -> WorkerProc:
        """Start another worker process with the same settings."""
        return WorkerProc(self.env, self.log, self.args)


async def run(args: argparse.Namespace) -> int:
    """Run the repeats and print the figures."""
    if args.supervised:
        return await run_supervised(args)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    fake = start_fake_llm()
    server = DevServer(tmp / "server")
    server.start()
    tq = f"rec-{uuid.uuid4().hex[:8]}"
    worker_args: list[str] = []
    if args.llm_heartbeat is not None:
        worker_args += ["--llm-heartbeat", str(args.llm_heartbeat)]
    if args.llm_retry_initial is not None:
        worker_args += ["--llm-retry-initial", str(args.llm_retry_initial)]
    default_hb = LLM_STEP.heartbeat.total_seconds()
    default_backoff = (LLM_STEP.retry.initial_interval or timedelta(seconds=1)).total_seconds()
    hb = args.llm_heartbeat if args.llm_heartbeat is not None else default_hb
    backoff = args.llm_retry_initial if args.llm_retry_initial is not None else default_backoff
    args.backoff = backoff
    print(f"recovery: {args.repeats} runs, LLM heartbeat timeout {hb:g} s, retry initial "
          f"interval {backoff:g} s, sticky schedule-to-start 1 s (worker.py), kill at "
          f"{args.kill_min:g}-{args.kill_max:g} s into the call", flush=True)
    print(f"  machine: {machine()}", flush=True)
    wrap = WorkerWrap(worker_env(server.address, tq, fake, tmp), tmp / "worker.log", worker_args)
    rows: list[dict[str, float]] = []
    try:
        await asyncio.to_thread(wrap.current.wait_ready)
        client = await connect(server.address)
        for r in range(args.repeats):
            row = await one_repeat(r, client, fake, wrap, tq, rng, args, tmp / "reports")
            rows.append(row)
            print(f"  run {r + 1:2d}: kill->timeout {row['kill_to_timeout']:5.2f} s, "
                  f"restart->retried call {row['restart_to_call']:5.2f} s, "
                  f"LLM done->next step {row['llm_done_to_next_step']:5.2f} s", flush=True)
    finally:
        wrap.current.kill()
        server.stop()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    summarize(rows, backoff)
    return 0


def summarize(rows: list[dict[str, float]], backoff: float) -> None:
    """Print p50/p95 of every interval and what dominates."""
    def col(key: str) -> list[float]:
        return [row[key] for row in rows]

    labels = {
        "restart_to_call": "worker restart -> retried LLM call",
        "kill_to_call": "worker kill -> retried LLM call",
        "kill_to_timeout": "  kill -> heartbeat timeout noticed",
        "timeout_to_call": f"  timeout -> retried call (backoff {backoff:g} s + pickup)",
        "restart_to_ready": "  new worker spawn -> polling",
        "worker_wait": "  retry waiting for the new worker to poll",
        "llm_done_to_next_step": "LLM done -> next step scheduled",
    }
    for key, label in labels.items():
        print(f"  {label:<52} {p50_p95(col(key))}")
    wait = pct(col("worker_wait"), 50)
    parts = {"heartbeat timeout": pct(col("kill_to_timeout"), 50), "retry backoff": backoff,
             "new worker's start-up": wait,
             "task pickup": pct(col("timeout_to_call"), 50) - backoff - wait}
    top = max(parts, key=lambda k: parts[k])
    share = parts[top] / pct(col("kill_to_call"), 50) * 100
    print(f"recovery: p50 {pct(col('restart_to_call'), 50):.2f} s, "
          f"p95 {pct(col('restart_to_call'), 95):.2f} s from worker restart to the retried "
          f"LLM call; dominated by the {top} ({share:.0f}% of kill->call p50)")


def main() -> None:
    """Parse arguments and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--llm-heartbeat", type=float, help="patch LLM_HEARTBEAT (seconds)")
    ap.add_argument("--llm-retry-initial", type=float, help="patch LLM_RETRY initial interval")
    ap.add_argument("--kill-min", type=float, default=0.5, help="earliest kill, s into the call")
    ap.add_argument("--kill-max", type=float, default=9.0, help="latest kill, s into the call")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--supervised", action="store_true",
                    help="the embedded mode's supervisor restarts the worker")
    ap.add_argument("--workers", type=int, default=1, help="workers under the supervisor")
    ap.add_argument("--verbose", action="store_true", help="print the supervisor's log")
    sys.exit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
