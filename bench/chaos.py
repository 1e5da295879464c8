"""Chaos: N reports while the worker and the Temporal server are SIGKILLed; check invariants.

Usage: python bench/chaos.py [--workflows 200] [--worker-kills 5] [--server-kills 2]
       [--llm-delay 0.5] [--server-downtime 3] [--gap-min 1] [--gap-max 5] [--seed 1]

Prints the figures and ends with ``chaos: PASS`` (exit 0) or ``chaos: FAIL`` (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from _common import (
    DevServer,
    SmtpSink,
    WorkerProc,
    connect,
    machine,
    pdf_contains,
    run_main,
    start_fake_llm,
    steps,
    worker_env,
)
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle

from durable_research.activities.email import message_id
from durable_research.client import root_cause
from durable_research.shared import ReportInput, ReportResult, report_message_key
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.report import GenerateReportWorkflow

LLM_NEEDLES = ("FAKE-LLM answer to", "survive the vacuum of space")


class Chaos:
    """Owns the worker process and the server; kills and restarts them on demand."""

    def __init__(self, server: DevServer, env: dict[str, str], tmp: Path) -> None:
        """Remember what to restart; call :meth:`start` next."""
        self.server, self.env, self.log = server, env, tmp / "worker.log"
        self.lock = asyncio.Lock()
        self.worker: WorkerProc | None = None
        self.client: Client | None = None
        self.kills: Counter[str] = Counter()
        self.kill_times: list[tuple[float, str]] = []
        self.self_exits = 0
        self.t0 = time.monotonic()

    async def start(self) -> None:
        """Connect and start the first worker."""
        self.client = await connect(self.server.address)
        await self._spawn()

    async def _spawn(self) -> None:
        self.worker = WorkerProc(self.env, self.log)
        await asyncio.to_thread(self.worker.wait_ready)

    async def kill_worker(self) -> None:
        """SIGKILL the worker at this moment and start a fresh one."""
        async with self.lock:
            assert self.worker is not None
            self.worker.kill()
            self.kills["worker"] += 1
            self.kill_times.append((time.time(), "worker"))
            await self._spawn()

    async def kill_server(self, downtime: float) -> None:
        """SIGKILL the server, stay down ``downtime`` s, restart it on the same SQLite file."""
        self.server.kill()
        self.kills["server"] += 1
        self.kill_times.append((time.time(), "server"))
        await asyncio.sleep(downtime)
        await asyncio.to_thread(self.server.start)
        self.client = await connect(self.server.address)

    async def watchdog(self) -> None:
        """Restart a worker that exited on its own (counted: it should not happen)."""
        while True:
            await asyncio.sleep(0.5)
            async with self.lock:
                if self.worker is not None and not self.worker.alive:
                    self.self_exits += 1
                    await self._spawn()

    def stamp(self) -> str:
        """Seconds since start, for the event log."""
        return f"[{time.monotonic() - self.t0:7.1f} s]"


async def start_all(client: Client, ids: list[str], tq: str, out: Path) -> dict[str, str]:
    """Start one report per id, 20 at a time; returns the Message-ID expected for each."""
    sem = asyncio.Semaphore(20)
    expected: dict[str, str] = {}

    async def one(i: int, wid: str) -> None:
        params = ReportInput(prompt=prompt_of(i), output_dir=str(out),
                             email_to=f"reader{i}@example.com")
        async with sem:
            handle = await client.start_workflow(GenerateReportWorkflow.run, params, id=wid,
                                                 task_queue=tq)
        run_id = handle.first_execution_run_id or handle.result_run_id or ""
        expected[message_id(report_message_key(wid, run_id))] = wid

    await asyncio.gather(*(one(i, wid) for i, wid in enumerate(ids)))
    return expected


def prompt_of(i: int) -> str:
    """The unique question of workflow ``i`` (the fake LLM counts calls per prompt)."""
    return f"Chaos question {i:04d}: give me five facts about tardigrades."


async def outcome(chaos: Chaos, wid: str, timeout: float) -> tuple[ReportResult | None, list]:
    """Wait for a workflow's result and read its steps, retrying across server restarts."""
    deadline = time.monotonic() + timeout
    while True:
        assert chaos.client is not None
        handle: WorkflowHandle = chaos.client.get_workflow_handle(wid, result_type=ReportResult)
        try:
            left = max(1.0, deadline - time.monotonic())
            result = await asyncio.wait_for(handle.result(), left)
            return result, await steps(handle)
        except WorkflowFailureError as exc:
            print(f"  {wid} FAILED: {root_cause(exc)}")
            return None, await steps(handle)
        except Exception as exc:  # noqa: BLE001 - the server may be restarting
            if time.monotonic() > deadline:
                print(f"  {wid}: no result: {type(exc).__name__}: {exc}")
                return None, []
            await asyncio.sleep(1)


async def run(args: argparse.Namespace) -> int:
    """Run the chaos experiment and print the figures; returns the exit code."""
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    fake = start_fake_llm(args.llm_delay)
    sink = SmtpSink().start()
    server = DevServer(tmp / "server")
    server.start()
    tq = f"chaos-{uuid.uuid4().hex[:8]}"
    chaos = Chaos(server, worker_env(server.address, tq, fake, tmp, sink.port), tmp)
    ids = [f"chaos-{tq[6:]}-{i:04d}" for i in range(args.workflows)]
    expected: dict[str, str] = {}
    print(f"chaos: {args.workflows} workflows, LLM delay {args.llm_delay} s, "
          f"{args.worker_kills} worker kills, {args.server_kills} server kills "
          f"(downtime {args.server_downtime} s), seed {args.seed}", flush=True)
    print(f"  machine: {machine()}", flush=True)
    watchdog: asyncio.Task[None] | None = None
    ok = False
    try:
        await chaos.start()
        watchdog = asyncio.create_task(chaos.watchdog())
        assert chaos.client is not None
        expected.update(await start_all(chaos.client, ids, tq, tmp / "reports"))

        def done() -> int:
            return len(set(sink.message_ids()) & expected.keys())

        events = ["worker"] * args.worker_kills + ["server"] * args.server_kills
        rng.shuffle(events)
        for event in events:
            await asyncio.sleep(rng.uniform(args.gap_min, args.gap_max))
            if done() >= len(ids):
                print(f"  {chaos.stamp()} all done; skipping the remaining kills")
                break
            print(f"  {chaos.stamp()} SIGKILL {event} (e-mails so far {done()}/{len(ids)})",
                  flush=True)
            if event == "worker":
                await chaos.kill_worker()
            else:
                await chaos.kill_server(args.server_downtime)
        outcomes = await asyncio.gather(*(outcome(chaos, w, args.timeout) for w in ids))
        wall = time.monotonic() - chaos.t0
        ok = report(args, ids, outcomes, fake, sink, expected, chaos, wall)
    finally:
        if watchdog:
            watchdog.cancel()
        async with chaos.lock:
            if chaos.worker:
                chaos.worker.kill()
        server.stop()
        sink.stop()
        fake.stop()
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  files kept in {tmp}")
    return 0 if ok else 1


def report(args: argparse.Namespace, ids: list[str], outcomes: list, fake: FakeLLM,
           sink: SmtpSink, expected: dict[str, str], chaos: Chaos, wall: float) -> bool:
    """Print the figures; True when every invariant holds."""
    n = len(ids)
    completed = sum(1 for r, _ in outcomes if r is not None and r.status == "completed")
    successes, once, mid_call, after_done, zero = 0, 0, 0, 0, 0
    failed_attempts: Counter[str] = Counter()
    pdf_ok = 0
    retried: Counter[str] = Counter()
    for i, (result, wf_steps) in enumerate(outcomes):
        for st in wf_steps:
            retried[st.name] += max(st.attempt - 1, 0)
        s = fake.successes_for(prompt_of(i))
        successes += s
        once += s == 1
        zero += s == 0
        llm = next((st for st in wf_steps if st.name == "llm_call" and st.completed), None)
        earlier = llm.attempt - 1 if llm else 0
        if llm and earlier:
            failed_attempts[llm.previous_failure or "unknown"] += earlier
        extra = max(s - 1, 0)
        mid_call += min(extra, earlier)
        after_done += extra - min(extra, earlier)
        if result is not None and result.pdf_path and pdf_contains(result.pdf_path, *LLM_NEEDLES):
            pdf_ok += 1
    mids = sink.message_ids()
    unique = set(mids)
    missing = len(expected.keys() - unique)
    unexpected = len(unique - expected.keys())
    failures = ", ".join(f"{k} x{v}" for k, v in sorted(failed_attempts.items())) or "none"
    print(f"  kills performed: worker {chaos.kills['worker']}/{args.worker_kills}, "
          f"server {chaos.kills['server']}/{args.server_kills}; "
          f"worker exits not caused by the controller: {chaos.self_exits}")
    print(f"  wall time {wall:.1f} s")
    print(f"  workflows completed: {completed}/{n}")
    print(f"  LLM: {successes} successful calls for {n} prompts; exactly one: {once}/{n}; "
          f"none: {zero}")
    print(f"  LLM calls repeated because a worker/server died mid-call: {mid_call} "
          f"(earlier attempts, last failure: {failures})")
    print(f"  LLM duplicates after a completed call: {after_done}")
    print("  attempts lost to kills (retried): "
          + ", ".join(f"{k} {retried[k]}" for k in ("llm_call", "create_pdf", "send_email")))
    print(f"  PDFs valid (pypdf opens, LLM text found): {pdf_ok}/{n}")
    print(f"  e-mail: SMTP deliveries {len(mids)}, unique Message-IDs {len(unique)} "
          f"(expected {n}, missing {missing}, unexpected {unexpected}), "
          f"duplicates {len(mids) - len(unique)}")
    explain_duplicates(mids, outcomes, ids, sink, chaos, expected)
    ok = (completed == n and after_done == 0 and zero == 0 and pdf_ok == n
          and missing == 0 and unexpected == 0)
    print("chaos: PASS" if ok else "chaos: FAIL")
    return ok


def explain_duplicates(mids: list[str], outcomes: list, ids: list[str], sink: SmtpSink,
                       chaos: Chaos, expected: dict[str, str]) -> None:
    """For each duplicated Message-ID: delivery times vs. the kills, and the send_email attempt."""
    seen: set[str] = set()
    position = {wid: i for i, wid in enumerate(ids)}
    index = {mid: position[wid] for mid, wid in expected.items()}
    for mid in mids:
        if mid in seen or mids.count(mid) < 2 or mid not in index:
            continue
        seen.add(mid)
        i = index[mid]
        times = sink.times_of(mid)
        kills = [f"{kind} kill {t - times[0]:+.2f} s" for t, kind in chaos.kill_times
                 if times[0] - 15 < t < times[-1] + 1]
        email = next((st for st in outcomes[i][1] if st.name == "send_email"), None)
        attempt = f"attempt {email.attempt} after {email.previous_failure}" if email else "?"
        gaps = ", ".join(f"{t - times[0]:+.2f} s" for t in times)
        print(f"    duplicate {ids[i]}: deliveries at {gaps}; {', '.join(kills) or 'no kill'}; "
              f"send_email {attempt}")


def main() -> None:
    """Parse arguments and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workflows", type=int, default=200)
    ap.add_argument("--worker-kills", type=int, default=5)
    ap.add_argument("--server-kills", type=int, default=2)
    ap.add_argument("--llm-delay", type=float, default=0.5, help="seconds per LLM answer")
    ap.add_argument("--server-downtime", type=float, default=3.0, help="seconds")
    ap.add_argument("--gap-min", type=float, default=1.0, help="seconds between kills, min")
    ap.add_argument("--gap-max", type=float, default=5.0, help="seconds between kills, max")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900, help="seconds to wait for results")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (PDFs, logs)")
    sys.exit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
