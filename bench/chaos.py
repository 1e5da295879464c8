"""Chaos: N reports under worker and server kills, a full disk and a flaky SMTP server.

Usage: python bench/chaos.py [--workflows 200] [--worker-kills 15] [--server-kills 3]
       [--long-outage 35] [--disk-full 20] [--smtp-drop-window 20] [--smtp-drop-rate 0.1]
       [--arrival 120] [--llm-delay 1] [--steady-workers 1] [--seed 1] [--keep]

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
from typing import Any

from _common import (
    DevServer,
    Step,
    WorkerProc,
    connect,
    machine,
    pdf_contains,
    run_main,
    start_fake_llm,
    steps,
    worker_env,
)
from _faults import AFTER_COMPLETION, DiskFull, Timeline, repeats
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError

from durable_research.activities.email import message_id
from durable_research.contract.report import ReportInput, ReportResult, report_message_key
from durable_research.errors import root_cause
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.workflows.report import GenerateReportWorkflow

LLM_NEEDLES = ("FAKE-LLM answer to", "survive the vacuum of space")


class Chaos:
    """Owns the workers and the server; kills and restarts them on demand.

    One worker is the victim of the kills (restarted at once); ``steady`` workers are never
    killed, so work a kill interrupts is picked up after the heartbeat timeout and the retry
    backoff only, not after a new worker's start-up.
    """

    def __init__(self, server: DevServer, env: dict[str, str], tmp: Path, api_base: str,
                 steady: int) -> None:
        """Remember what to restart; call :meth:`start` next."""
        self.server, self.env, self.tmp, self.api_base = server, env, tmp, api_base
        self.lock = asyncio.Lock()
        self.worker: WorkerProc | None = None
        self.route = ""
        self.generation = 0
        self.steady: list[WorkerProc | None] = [None] * steady
        self.client: Client | None = None
        self.kills: Counter[str] = Counter()
        self.kill_times: list[tuple[float, str]] = []
        self.timeline = Timeline()
        self.self_exits: Counter[str] = Counter()
        self.t0 = time.monotonic()

    async def start(self) -> None:
        """Connect and start the steady workers and the first victim."""
        self.client = await connect(self.server.address)
        # Side by side: each start-up is seconds of imports, and none depends on another.
        await asyncio.gather(*(self._spawn_steady(i) for i in range(len(self.steady))),
                             self._spawn())

    def _proc(self, route: str, log: str) -> WorkerProc:
        # Each worker calls the fake LLM under its own path, so every answer names its payer.
        env = {**self.env, "LLM_API_BASE": self.api_base.removesuffix("/v1") + route}
        return WorkerProc(env, self.tmp / log)

    async def _spawn(self) -> None:
        self.generation += 1
        self.route = f"/victim{self.generation}/v1"
        self.worker = self._proc(self.route, "worker.log")
        await asyncio.to_thread(self.worker.wait_ready)

    async def _spawn_steady(self, i: int) -> None:
        proc = self._proc(f"/steady{i}/v1", f"steady{i}.log")
        self.steady[i] = proc
        await asyncio.to_thread(proc.wait_ready)

    async def kill_worker(self) -> None:
        """SIGKILL the victim worker at this moment and start a fresh one."""
        async with self.lock:
            assert self.worker is not None
            self.worker.kill()
            now = time.time()
            self.kills["worker"] += 1
            self.kill_times.append((now, "worker"))
            self.timeline.worker_killed[self.route] = now
            await self._spawn()

    async def kill_server(self, downtime: float) -> None:
        """SIGKILL the server, stay down ``downtime`` s, restart it on the same SQLite file."""
        self.server.kill()
        down = time.time()
        self.kills["server"] += 1
        self.kill_times.append((down, "server"))
        await asyncio.sleep(downtime)
        await asyncio.to_thread(self.server.start)
        self.timeline.outages.append((down, time.time()))
        self.client = await connect(self.server.address)

    async def watchdog(self) -> None:
        """Restart a worker that exited on its own (counted: it should not happen)."""
        while True:
            await asyncio.sleep(0.5)
            async with self.lock:
                if self.worker is not None and not self.worker.alive:
                    self.self_exits["victim"] += 1
                    await self._spawn()
                for i, proc in enumerate(self.steady):
                    if proc is not None and not proc.alive:
                        self.self_exits["steady"] += 1
                        await self._spawn_steady(i)

    def stamp(self) -> str:
        """Seconds since start, for the event log."""
        return f"[{time.monotonic() - self.t0:7.1f} s]"


def prompt_of(i: int) -> str:
    """The unique question of workflow ``i`` (the fake LLM counts calls per prompt)."""
    return f"Chaos question {i:04d}: give me five facts about tardigrades."


async def start_one(chaos: Chaos, i: int, wid: str, tq: str, out: Path) -> str:
    """Start report ``i``, retrying through server outages; returns its expected Message-ID."""
    params = ReportInput(prompt=prompt_of(i), output_dir=str(out),
                         email_to=f"reader{i}@example.com")
    while True:
        assert chaos.client is not None
        try:
            handle = await chaos.client.start_workflow(
                GenerateReportWorkflow.run, params, id=wid, task_queue=tq)
            run_id = handle.first_execution_run_id or handle.result_run_id or ""
            break
        except WorkflowAlreadyStartedError:  # an earlier try got through before a failure
            run_id = (await chaos.client.get_workflow_handle(wid).describe()).run_id
            break
        except Exception:  # noqa: BLE001 - the server is down or restarting: try again
            await asyncio.sleep(1)
    return message_id(report_message_key(wid, run_id))


async def arrivals(chaos: Chaos, ids: list[str], tq: str, out: Path, spread: float,
                   expected: dict[str, str]) -> None:
    """Start the reports evenly over ``spread`` seconds (all at once when 0)."""
    sem = asyncio.Semaphore(20)
    t0 = time.monotonic()

    async def one(i: int, wid: str) -> None:
        await asyncio.sleep(max(0.0, t0 + spread * i / len(ids) - time.monotonic()))
        async with sem:
            expected[await start_one(chaos, i, wid, tq, out)] = wid

    await asyncio.gather(*(one(i, wid) for i, wid in enumerate(ids)))


# A report's result (None: failed or no answer) and its steps.
Outcome = tuple[ReportResult | None, list[Step]]


async def outcome(chaos: Chaos, wid: str, timeout: float) -> Outcome:
    """Wait for a workflow's result and read its steps, retrying across server restarts."""
    deadline = time.monotonic() + timeout
    while True:
        assert chaos.client is not None
        handle: WorkflowHandle[Any, ReportResult] = chaos.client.get_workflow_handle(
            wid, result_type=ReportResult)
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


async def disk_full_window(chaos: Chaos, disk: DiskFull, seconds: float) -> None:
    """Fill the output folder's disk for ``seconds``, then free it."""
    try:
        filled = await asyncio.to_thread(disk.fill)
        print(f"  {chaos.stamp()} disk full on the output folder ({filled >> 20} MiB filler) "
              f"for {seconds:.0f} s", flush=True)
        await asyncio.sleep(seconds)
    finally:
        disk.free()
    print(f"  {chaos.stamp()} disk has room again", flush=True)


async def smtp_drop_window(chaos: Chaos, sink: SmtpSink, seconds: float, rate: float) -> None:
    """Drop every SMTP connection mid-DATA for ``seconds``, then go back to ``rate``."""
    sink.drop_data = 1.0
    print(f"  {chaos.stamp()} SMTP drops every connection mid-DATA for {seconds:.0f} s",
          flush=True)
    await asyncio.sleep(seconds)
    sink.drop_data = rate
    print(f"  {chaos.stamp()} SMTP back to dropping {rate:.0%} mid-DATA", flush=True)


def schedule(args: argparse.Namespace, disk_ready: bool, rng: random.Random) -> list[str]:
    """The fault events in random order (the long outage is one of the server kills)."""
    events = ["worker"] * args.worker_kills
    servers = ["server"] * args.server_kills
    if servers and args.long_outage > 0:
        servers[0] = "outage"
    events += servers
    if args.disk_full > 0 and disk_ready:
        events.append("disk")
    if args.smtp_drop_window > 0:
        events.append("smtp")
    rng.shuffle(events)
    return events


async def run(args: argparse.Namespace) -> int:
    """Run the chaos experiment and print the figures; returns the exit code."""
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    out = tmp / "reports"
    disk = DiskFull(out) if args.disk_full > 0 else None
    fake = start_fake_llm(args.llm_delay)
    sink = SmtpSink(drop_data=args.smtp_drop_rate).start()
    server = DevServer(tmp / "server")
    server.start()
    tq = f"chaos-{uuid.uuid4().hex[:8]}"
    env = worker_env(server.address, tq, fake, tmp, sink.port)
    chaos = Chaos(server, env, tmp, fake.api_base, args.steady_workers)
    ids = [f"chaos-{tq[6:]}-{i:04d}" for i in range(args.workflows)]
    expected: dict[str, str] = {}
    print(f"chaos: {args.workflows} workflows arriving over {args.arrival:.0f} s, LLM delay "
          f"{args.llm_delay} s, {args.steady_workers} steady worker(s) + 1 killed "
          f"{args.worker_kills} times, {args.server_kills} server kills (downtime "
          f"{args.server_downtime} s" + (f", one of {args.long_outage} s" if args.long_outage
                                         else "") + "), "
          f"disk full {args.disk_full} s, SMTP drops mid-DATA ({args.smtp_drop_rate:.0%}, "
          f"100% for {args.smtp_drop_window} s), seed {args.seed}", flush=True)
    print(f"  machine: {machine()}", flush=True)
    if disk is not None and not disk.mounted:
        print(f"  disk-full window skipped: {disk.reason}", flush=True)
    background: list[asyncio.Task[None]] = []
    ok = False
    try:
        await chaos.start()
        background.append(asyncio.create_task(chaos.watchdog()))
        starter = asyncio.create_task(arrivals(chaos, ids, tq, out, args.arrival, expected))

        def done() -> int:
            return len(set(sink.message_ids()) & set(expected))

        events = schedule(args, disk is not None and disk.mounted, rng)
        performed: Counter[str] = Counter()
        for event in events:
            await asyncio.sleep(rng.uniform(args.gap_min, args.gap_max))
            if starter.done() and done() >= len(ids):
                print(f"  {chaos.stamp()} all done; skipping the remaining faults")
                break
            print(f"  {chaos.stamp()} {event_label(event, args)} "
                  f"(e-mails so far {done()}/{len(ids)})", flush=True)
            performed[event] += 1
            if event == "worker":
                await chaos.kill_worker()
            elif event in ("server", "outage"):
                downtime = args.long_outage if event == "outage" else args.server_downtime
                await chaos.kill_server(downtime)
                print(f"  {chaos.stamp()} server up again after {downtime:.0f} s", flush=True)
            elif event == "disk" and disk is not None:
                background.append(asyncio.create_task(
                    disk_full_window(chaos, disk, args.disk_full)))
            elif event == "smtp":
                background.append(asyncio.create_task(
                    smtp_drop_window(chaos, sink, args.smtp_drop_window, args.smtp_drop_rate)))
        await starter
        outcomes = await asyncio.gather(*(outcome(chaos, w, args.timeout) for w in ids))
        wall = time.monotonic() - chaos.t0
        ok = report(ids, outcomes, fake, sink, expected, chaos, wall, events, performed)
    finally:
        for task in background:
            task.cancel()
        async with chaos.lock:
            for proc in [chaos.worker, *chaos.steady]:
                if proc:
                    proc.kill()
        server.stop()
        sink.stop()
        fake.stop()
        if disk is not None:
            if not ok or args.keep:  # the reports live on the tmpfs: copy them out first
                shutil.copytree(out, tmp / "reports-copy", dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns(".disk-full-filler"))
            disk.unmount()
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  files kept in {tmp}")
    return 0 if ok else 1


def event_label(event: str, args: argparse.Namespace) -> str:
    """What the event log says for one fault."""
    return {"worker": "SIGKILL victim worker", "server": "SIGKILL server",
            "outage": f"SIGKILL server, down {args.long_outage:.0f} s",
            "disk": "disk-full window starts", "smtp": "SMTP drop window starts"}[event]


def report(ids: list[str], outcomes: list[Outcome], fake: FakeLLM,
           sink: SmtpSink, expected: dict[str, str], chaos: Chaos, wall: float,
           events: list[str], performed: Counter[str]) -> bool:
    """Print the figures; True when every invariant holds."""
    n = len(ids)
    completed = sum(1 for r, _ in outcomes if r is not None and r.status == "completed")
    successes, once, zero = 0, 0, 0
    causes: Counter[str] = Counter()
    pdf_ok = 0
    retried: Counter[str] = Counter()
    mail_failed = 0
    unknown: set[str] = set()
    for i, (result, wf_steps) in enumerate(outcomes):
        for st in wf_steps:
            retried[st.name] += max(st.attempt - 1, 0)
        answers = fake.answers_for(prompt_of(i))
        successes += len(answers)
        once += len(answers) == 1
        zero += not answers
        these = repeats(answers, chaos.timeline)
        causes += these
        if any(c in these for c in AFTER_COMPLETION):
            explain_repeat(ids[i], answers, chaos, wf_steps)
        if result is not None and result.pdf_path and pdf_contains(result.pdf_path, *LLM_NEEDLES):
            pdf_ok += 1
        if result is not None and result.email.uncertain:
            unknown.add(result.email.message_id)
            print(f"    {ids[i]}: delivery unknown, and the result says so: "
                  f"{result.email.skipped_reason}")
        elif result is not None and not result.email.sent:
            mail_failed += 1
            print(f"    {ids[i]}: mail not sent: {result.email.skipped_reason}")
    mids = sink.message_ids()
    unique = set(mids)
    # A mail whose result says "delivery unknown" is not lost unseen; any other missing
    # mail is (its result says "sent", or says nothing true).
    missing = len(expected.keys() - unique - unknown)
    unknown_missing = len((expected.keys() & unknown) - unique)
    unexpected = len(unique - expected.keys())
    after_done = sum(causes[c] for c in AFTER_COMPLETION)
    wanted = Counter(events)
    print("  faults performed: " + ", ".join(
        f"{kind} {performed[kind]}/{wanted[kind]}" for kind in sorted(wanted))
          + f"; worker exits not caused by the controller: "
          f"victim {chaos.self_exits['victim']}, steady {chaos.self_exits['steady']}")
    print(f"  wall time {wall:.1f} s")
    print(f"  workflows completed: {completed}/{n}")
    print(f"  LLM: {successes} successful calls for {n} prompts; exactly one: {once}/{n}; "
          f"none: {zero}")
    print(f"  LLM calls repeated: {sum(causes.values())}")
    for cause in sorted(causes, key=lambda c: -causes[c]):
        print(f"    {cause}: {causes[cause]}")
    print(f"  LLM calls repeated after completion: {after_done}")
    print("  attempts lost to faults (retried): "
          + ", ".join(f"{k} {retried[k]}" for k in ("llm_call", "create_pdf", "send_email")))
    print(f"  PDFs valid (pypdf opens, LLM text found): {pdf_ok}/{n}")
    print(f"  e-mail: SMTP deliveries {len(mids)}, unique Message-IDs {len(unique)} "
          f"(expected {n}, missing {missing}, unexpected {unexpected}; delivery unknown and "
          f"said so {len(unknown)}, of them not delivered {unknown_missing}), "
          f"duplicates {len(mids) - len(unique)}; connections dropped mid-DATA {sink.dropped}; "
          f"reports whose mail failed {mail_failed}")
    explain_duplicates(mids, outcomes, ids, sink, chaos, expected)
    ok = (completed == n and after_done == 0 and zero == 0 and pdf_ok == n
          and missing == 0 and unexpected == 0 and len(mids) == len(unique))
    print("chaos: PASS" if ok else "chaos: FAIL")
    return ok


def explain_repeat(wid: str, answers: list[tuple[str, float, float]], chaos: Chaos,
                   wf_steps: list[Step]) -> None:
    """Print when each answer of a repeated call came, next to the faults and attempts."""
    t0 = time.time() - (time.monotonic() - chaos.t0)
    said = "; ".join(f"{route} {start - t0:.1f}-{end - t0:.1f} s" for route, start, end in answers)
    faults = ", ".join(f"{kind} {t - t0:.1f} s" for t, kind in chaos.kill_times)
    ups = ", ".join(f"up {up - t0:.1f} s" for _down, up in chaos.timeline.outages)
    llm = [f"attempt {st.attempt} started {st.started - t0:.1f} s after {st.previous_failure!r}"
           for st in wf_steps if st.name == "llm_call"]
    print(f"    repeated {wid}: answers {said}; llm_call {llm}; faults {faults}; {ups}")


def explain_duplicates(mids: list[str], outcomes: list[Outcome], ids: list[str], sink: SmtpSink,
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
    ap.add_argument("--worker-kills", type=int, default=15)
    ap.add_argument("--server-kills", type=int, default=3)
    ap.add_argument("--server-downtime", type=float, default=3.0, help="seconds")
    ap.add_argument("--long-outage", type=float, default=35.0,
                    help="seconds one of the server kills stays down (0: none)")
    ap.add_argument("--disk-full", type=float, default=20.0,
                    help="seconds the output folder's disk is full (0: none; needs root)")
    ap.add_argument("--smtp-drop-window", type=float, default=20.0,
                    help="seconds every SMTP connection is dropped mid-DATA (0: none)")
    ap.add_argument("--smtp-drop-rate", type=float, default=0.1,
                    help="share of SMTP connections dropped mid-DATA the rest of the time")
    # Long enough that work is still running when the last scheduled fault (the disk-full
    # window, ~175 s in) comes, also on a quiet machine that finishes reports quickly.
    ap.add_argument("--arrival", type=float, default=180.0,
                    help="seconds over which the reports are started (0: all at once)")
    ap.add_argument("--steady-workers", type=int, default=1, help="workers never killed")
    ap.add_argument("--llm-delay", type=float, default=1.0, help="seconds per LLM answer")
    ap.add_argument("--gap-min", type=float, default=1.0, help="seconds between faults, min")
    ap.add_argument("--gap-max", type=float, default=5.0, help="seconds between faults, max")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900, help="seconds to wait for results")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (PDFs, logs)")
    sys.exit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
