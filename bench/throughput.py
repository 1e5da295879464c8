"""Throughput, CPU and per-step overhead of the app against the raw Temporal limit.

Usage: python bench/throughput.py [--workflows 200] [--rounds 3] [--sequential 40]
                                  [--llm-delay 1]

Everything runs in one go on one dev server (the app's own configuration), so every
figure is a ratio measured in the same run:

- the raw limit: ``_raw.py``'s workflow of three no-op activities (the first waits for
  the fake LLM's delay), one worker process with the app's worker options;
- the work floor: ``_floor.py``'s workflow of the same three steps doing only the bare
  work (litellm call, PDF render, SMTP send; no memo, ledger, store or heartbeats):
  how close any orchestration could come to the raw limit on this machine;
- the app: a quick report (LLM over HTTP to the fake LLM -> PDF -> SMTP to a local
  sink), one worker process (``build_worker``);

each as a burst of reports started at once with a slow (``--llm-delay``) and an
instant LLM: reports/s and CPU (server + worker, from /proc) per report, and the LLM
calls and mails of the burst (a retried step shows as more than one a report); each kind
``--rounds`` times in rotating order, the figures from each kind's median burst; then one
at a time, the kinds taking turns: end-to-end p50 and the orchestration overhead per
step (end-to-end minus the activities' own run time, per activity); last, each step's
bare work alone, in one process without Temporal (``_floor.py N``): where the floor's
CPU goes, and the least CPU per report any orchestration adds it to.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from _common import (
    ROOT,
    DevServer,
    WorkerProc,
    connect,
    descendants,
    machine,
    pct,
    run_main,
    start_fake_llm,
    steps_of,
    worker_env,
)
from _floor import FloorReportWorkflow
from _gaps import GapTable, event_gaps
from _raw import RawReportWorkflow
from _slots import burst_slot_use
from temporalio.client import Client

from durable_research.contract.report import ReportInput
from durable_research.embedded import devserver
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.workflows.report import GenerateReportWorkflow

TICK = os.sysconf("SC_CLK_TCK")
RAW, FLOOR, APP = "raw", "floor", "app"
# Issue 26, goal 6: the app's reports/s at least this share of the bare work's.
FLOOR_GOAL = 0.9
KINDS = (RAW, FLOOR, APP)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far, and of the processes it started (a
    worker's CPU process pool: its fork server and children) (Linux /proc)."""
    total = 0.0
    for proc in (pid, *descendants(pid)):
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a child ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _own_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of ``pid``'s threads so far, grouped: event loop, SDK core, the rest;
    and the processes it started (a worker's CPU process pool)."""
    groups = {"loop": 0.0, "core": 0.0, "threads": 0.0,
              "children": cpu_s(pid) - _own_cpu_s(pid)}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICK
        if int(task.name) == pid:
            groups["loop"] += cpu
        elif not name.startswith("python"):  # the SDK's Rust threads (tokio)
            groups["core"] += cpu
        else:  # Python threads: rendering, SMTP and store pools, the default executor
            groups["threads"] += cpu
    return groups


@dataclass
class Burst:
    """One burst of reports: rate and CPU per report (ms) of the server and the worker."""

    rate: float
    server_ms: float
    worker_ms: float
    # The worker's CPU per report by thread group (ms): loop, core, threads.
    split: dict[str, float]
    # LLM calls answered and mails received during the burst: more than one of each per
    # report means steps ran twice (a timed-out attempt retried).
    llm_calls: int = 0
    mails: int = 0
    # Where the burst's activities waited (``--slots``), printed under its line.
    slot_line: str = ""

    @property
    def cpu_ms(self) -> float:
        """Server + worker CPU per report."""
        return self.server_ms + self.worker_ms


Starter = Callable[[Client, str, str, int], Awaitable[None]]


async def start_app(client: Client, tq: str, tag: str, i: int, out: Path = Path()) -> None:
    """One quick report, mailed to the sink; waits for it."""
    params = ReportInput(prompt=f"Throughput {tag} {i}: tardigrade facts.", output_dir=str(out),
                         email_to=f"reader{i}@example.com")
    handle = await client.start_workflow(GenerateReportWorkflow.run, params,
                                         id=f"app-{tq}-{tag}-{i}", task_queue=tq)
    result = await handle.result()
    assert result.status == "completed" and result.email.sent, result


class Bench:
    """The shared server, fake LLM and SMTP sink, and how to run a worker kind on them."""

    def __init__(self, tmp: Path, fake: FakeLLM, sink: SmtpSink, server: DevServer) -> None:
        """Remember the shared pieces."""
        self.tmp, self.fake, self.sink, self.server = tmp, fake, sink, server
        self.server_pid = devserver.running_pid(server.data_dir) or 0
        self.delay = 0.0
        self.profile: Path | None = None  # profile the app worker into this file
        self.gaps: GapTable | None = None  # where one-at-a-time reports spend their time
        self.workers: dict[str, tuple[str, WorkerProc]] = {}
        self.client: Client | None = None
        self.slots = False  # after each burst, where its activities waited (--slots)

    async def one(self, kind: str, client: Client, tq: str, tag: str, i: int) -> None:
        """One report of the given kind, waited for."""
        if kind == RAW:
            await client.execute_workflow(RawReportWorkflow.run, self.delay,
                                          id=f"raw-{tq}-{tag}-{i}", task_queue=tq)
        elif kind == FLOOR:
            await client.execute_workflow(
                FloorReportWorkflow.run, f"Throughput {tag} {i}: tardigrade facts.",
                id=f"floor-{tq}-{tag}-{i}", task_queue=tq)
        else:
            await start_app(client, tq, tag, i, self.tmp / "reports")

    async def start_workers(self) -> None:
        """One worker process per kind, each on its own queue, started together and
        warmed up (fonts, connections); they serve every measurement of their kind."""
        for kind in KINDS:
            tq = f"{kind}-{uuid.uuid4().hex[:6]}"
            env = worker_env(self.server.address, tq, self.fake, self.tmp, self.sink.port)
            args = [] if kind == APP else [f"--{kind}"]
            if kind == APP and self.profile:
                args += ["--profile", str(self.profile)]
            self.workers[kind] = (tq, WorkerProc(env, self.tmp / f"worker-{kind}.log", args))
        await asyncio.gather(*(asyncio.to_thread(w.wait_ready) for _, w in self.workers.values()))
        self.client = await connect(self.server.address)
        for kind, (tq, _) in self.workers.items():
            for i in range(3):  # warm-up, not counted
                await self.one(kind, self.client, tq, "warm", i)

    def bare_cpu(self, n: int) -> dict[str, float]:
        """CPU ms per call of each step's bare work, alone in a fresh process with the
        floor worker's settings (``_floor.py``), no Temporal."""
        env = worker_env(self.server.address, "bare", self.fake, self.tmp, self.sink.port)
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "_floor.py"), str(n)],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        cpu: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        return cpu

    async def stop_workers(self) -> None:
        """Kill the workers (the profiled one is terminated: it writes its profile)."""
        for kind, (_, worker) in self.workers.items():
            profiled = kind == APP and self.profile is not None
            await asyncio.to_thread(worker.terminate if profiled else worker.kill)

    async def burst(self, kind: str, n: int, tag: str) -> Burst:
        """``n`` reports started at once; rate and CPU per report."""
        tq, worker = self.workers[kind]
        pid, client = worker.proc.pid, self.client
        assert client is not None
        sem = asyncio.Semaphore(50)  # start RPCs in flight, not reports

        async def one(i: int) -> None:
            async with sem:
                task = asyncio.ensure_future(self.one(kind, client, tq, tag, i))
                await asyncio.sleep(0)
            await task

        calls0, mails0 = self.fake.calls, len(self.sink.messages)
        s0, w0, t0 = cpu_s(self.server_pid), cpu_s(pid), time.perf_counter()
        g0 = thread_cpu(pid)
        await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - t0
        s1, w1, g1 = cpu_s(self.server_pid), cpu_s(pid), thread_cpu(pid)
        split = {k: (g1[k] - g0.get(k, 0.0)) / n * 1000 for k in g1}
        calls, mails = self.fake.calls - calls0, len(self.sink.messages) - mails0
        slot_line = ""
        if self.slots:  # after the measurement: the fetches are not in its wall or CPU
            ids = [f"{kind}-{tq}-{tag}-{i}" for i in range(n)]
            slot_line = (await burst_slot_use(client, ids)).line()
        return Burst(n / wall, (s1 - s0) / n * 1000, (w1 - w0) / n * 1000, split, calls,
                     mails, slot_line)

    async def sequential(self, m: int) -> dict[str, tuple[list[float], list[float]]]:
        """``m`` reports of each kind one at a time, the kinds taking turns (so drift in
        the machine's load hits all alike): end-to-end seconds and overhead per step (s)."""
        client = self.client
        assert client is not None
        out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in KINDS}
        for i in range(m):
            for kind in KINDS if i % 2 == 0 else reversed(KINDS):
                tq, _ = self.workers[kind]
                t0, wall0 = time.perf_counter(), time.time()
                await self.one(kind, client, tq, "seq", i)
                total, wall1 = time.perf_counter() - t0, time.time()
                handle = client.get_workflow_handle(f"{kind}-{tq}-seq-{i}")
                events = [ev async for ev in handle.fetch_history_events()]
                acts = steps_of(events)
                busy = sum(s.closed - s.started for s in acts)
                out[kind][0].append(total)
                out[kind][1].append((total - busy) / len(acts))
                if self.gaps is not None:
                    self.gaps.add(kind, event_gaps(wall0, events, wall1))
        return out


def median_burst(done: list[Burst]) -> Burst:
    """The burst of median rate (its own CPU figures with it, so they belong together)."""
    return sorted(done, key=lambda b: b.rate)[len(done) // 2]


def ratio_line(goal: str, what: str, app: float, raw: float, unit: str, limit: str,
               ok: bool) -> None:
    """Print one goal's figure as app / raw."""
    verdict = "met" if ok else "NOT met"
    print(f"  {goal}: {what}: app {app:.1f}{unit}, raw {raw:.1f}{unit} -> "
          f"{app / raw:.2f}x (goal {limit}: {verdict})", flush=True)


async def run(args: argparse.Namespace) -> int:
    """Run every measurement and print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    fake, sink = start_fake_llm(0.0), SmtpSink().start()
    server = DevServer(tmp / "server")
    server.start()
    bench = Bench(tmp, fake, sink, server)
    n, m = args.workflows, args.sequential
    print(f"throughput: {n} reports started at once per burst, one worker process each, "
          f"fake LLM over HTTP, e-mail to a local SMTP sink", flush=True)
    print(f"  machine: {machine()}", flush=True)
    bench.profile = args.profile
    bench.gaps = GapTable() if args.gaps else None
    bench.slots = args.slots
    try:
        await bench.start_workers()
        bursts: dict[tuple[float, str], Burst] = {}
        for delay in (args.llm_delay, 0.0):
            fake.configure(delay=delay)
            bench.delay = delay
            runs: dict[str, list[Burst]] = {kind: [] for kind in KINDS}
            for r in range(args.rounds):
                # Each round in another order: a burst runs on a server still busy with
                # the previous one's histories, and whichever kind came last paid for it
                # (one order gave the app 0.33-0.37x the floor in some runs, 0.8x in others).
                for kind in KINDS[r % len(KINDS):] + KINDS[:r % len(KINDS)]:
                    b = await bench.burst(kind, n, f"burst{delay:g}-{r}")
                    runs[kind].append(b)
                    print(f"  {kind:<5} LLM {delay:g} s: {b.rate:6.1f} reports/s, "
                          f"CPU per report server {b.server_ms:5.1f} ms + worker "
                          f"{b.worker_ms:5.1f} ms (event loop {b.split['loop']:.0f}, SDK core "
                          f"{b.split['core']:.0f}, other threads {b.split['threads']:.0f}, child "
                          f"processes {b.split.get('children', 0.0):.0f}); "
                          f"{b.llm_calls} LLM calls, {b.mails} mails", flush=True)
                    if b.slot_line:
                        print(b.slot_line, flush=True)
            for kind, done in runs.items():
                bursts[(delay, kind)] = median_burst(done)
            if args.rounds > 1:
                print(f"  medians of {args.rounds} rounds, LLM {delay:g} s: " + ", ".join(
                    f"{kind} {bursts[(delay, kind)].rate:.1f}/s" for kind in KINDS)
                    + "; app / floor per round: " + ", ".join(
                    f"{a.rate / f.rate:.2f}x" for a, f in zip(runs[APP], runs[FLOOR],
                                                              strict=True)), flush=True)
        fake.configure(delay=0.0)
        bench.delay = 0.0
        seq = await bench.sequential(m)
        await bench.stop_workers()
        bare = await asyncio.to_thread(bench.bare_cpu, args.bare)
    finally:
        for _, worker in bench.workers.values():
            if worker.proc.poll() is None:
                worker.proc.kill()
        server.stop()
        sink.stop()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print_figures(bursts, seq, args.llm_delay, m)
    print_bare(bare, bursts, args.llm_delay, args.bare)
    if bench.gaps is not None:
        print("where one report's orchestration goes, one at a time (history event gaps; the "
              "activities' own runs left out):")
        print("\n".join(bench.gaps.lines(KINDS)))
    if args.profile:
        print_profile(args.profile)
    return 0


def print_figures(bursts: dict[tuple[float, str], Burst],
                  seq: dict[str, tuple[list[float], list[float]]], slow: float, m: int) -> None:
    """The goals as app / raw; what the bare work alone allows (floor / raw); what the
    app adds to it (app / floor)."""
    print("figures (app / raw, same run):")
    goals = ((slow, ">= 0.8x", 0.8), (0.0, ">= 0.6x", 0.6))
    for delay, limit, ratio in goals:
        app, raw = bursts[(delay, APP)], bursts[(delay, RAW)]
        ratio_line("goal 1", f"reports/s, {llm(delay)} LLM", app.rate, raw.rate, "/s", limit,
                   app.rate >= ratio * raw.rate)
    for delay in (0.0, slow):
        a, r = bursts[(delay, APP)], bursts[(delay, RAW)]
        ratio_line("goal 2", f"CPU per report, server + worker, {llm(delay)} LLM "
                   f"(app {a.server_ms:.0f} + {a.worker_ms:.0f}, raw {r.server_ms:.0f} + "
                   f"{r.worker_ms:.0f})", a.cpu_ms, r.cpu_ms, " ms", "<= 1.3x",
                   a.cpu_ms <= 1.3 * r.cpu_ms)
    (raw_tot, raw_over), (app_tot, app_over) = seq[RAW], seq[APP]
    ratio_line("goal 5", f"orchestration overhead per step, one at a time (n={m})",
               pct(app_over, 50) * 1000, pct(raw_over, 50) * 1000, " ms", "<= 1.1x",
               pct(app_over, 50) <= 1.1 * pct(raw_over, 50))
    print(f"  end-to-end one at a time: app p50 {pct(app_tot, 50) * 1000:.0f} ms, raw p50 "
          f"{pct(raw_tot, 50) * 1000:.0f} ms")
    print("reach: the bare work with no orchestration of the app (floor / raw, same run):")
    for delay, limit, ratio in goals:
        f, r = bursts[(delay, FLOOR)], bursts[(delay, RAW)]
        reach = f.rate / r.rate
        verdict = "within reach" if reach >= ratio else "out of reach on this machine"
        print(f"  goal 1, {llm(delay)} LLM: floor {f.rate:.1f}/s vs raw {r.rate:.1f}/s -> "
              f"{reach:.2f}x at best (goal {limit}: {verdict})")
    for delay in (0.0, slow):
        f, r = bursts[(delay, FLOOR)], bursts[(delay, RAW)]
        least = f.cpu_ms / r.cpu_ms
        verdict = "within reach" if least <= 1.3 else "out of reach on this machine"
        print(f"  goal 2, {llm(delay)} LLM: floor {f.cpu_ms:.0f} ms (server {f.server_ms:.0f} + "
              f"worker {f.worker_ms:.0f}; threads {f.split['threads']:.0f}) vs raw "
              f"{r.cpu_ms:.0f} ms -> {least:.2f}x at least (goal <= 1.3x: {verdict})")
    floor_over, raw_over = seq[FLOOR][1], seq[RAW][1]
    least = pct(floor_over, 50) / pct(raw_over, 50)
    verdict = "within reach" if least <= 1.1 else "out of reach on this machine"
    print(f"  goal 5, one at a time: floor {pct(floor_over, 50) * 1000:.1f} ms per step vs raw "
          f"{pct(raw_over, 50) * 1000:.1f} ms -> {least:.2f}x at least (goal <= 1.1x: "
          f"{verdict})")
    print("what the app's durability adds to the bare work (app / floor, same run):")
    for delay in (slow, 0.0):
        a, f = bursts[(delay, APP)], bursts[(delay, FLOOR)]
        verdict = "met" if a.rate >= FLOOR_GOAL * f.rate else "NOT met"
        print(f"  {llm(delay)} LLM: reports/s {a.rate / f.rate:.2f}x (issue 26 goal 6: >= "
              f"{FLOOR_GOAL}x, {verdict}), CPU per report "
              f"{a.cpu_ms / f.cpu_ms:.2f}x (server {a.server_ms / f.server_ms:.2f}x, worker "
              f"{a.worker_ms / f.worker_ms:.2f}x)")
    app_over = seq[APP][1]
    print(f"  one at a time: orchestration overhead per step "
          f"{pct(app_over, 50) / pct(floor_over, 50):.2f}x")


def print_bare(bare: dict[str, float], bursts: dict[tuple[float, str], Burst], slow: float,
               n: int) -> None:
    """Where the floor's CPU goes, and the least CPU per report and the most reports/s any
    orchestration of this work can reach on this machine (raw limit + bare work)."""
    work = sum(bare.values())
    print(f"where the work goes: each step's bare work alone (n={n}, one process, no "
          f"Temporal): LLM call through litellm {bare['llm']:.1f} ms, PDF render "
          f"{bare['pdf']:.1f} ms, mail over SMTP {bare['mail']:.1f} ms: {work:.1f} ms CPU "
          f"per report")
    cores = os.cpu_count() or 1
    for delay in (0.0, slow):
        r = bursts[(delay, RAW)]
        least = r.cpu_ms + work
        verdict = "within reach" if least <= 1.3 * r.cpu_ms else "out of reach on this machine"
        print(f"  goal 2, {llm(delay)} LLM: raw {r.cpu_ms:.0f} ms + bare work {work:.0f} ms = "
              f"{least:.0f} ms per report at least -> {least / r.cpu_ms:.2f}x raw (goal <= "
              f"1.3x: {verdict}, whatever the orchestration)")
    for delay, ratio in ((slow, 0.8), (0.0, 0.6)):
        r = bursts[(delay, RAW)]
        most = cores * 1000 / (r.cpu_ms + work)
        print(f"  goal 1, {llm(delay)} LLM: {cores} cores / {r.cpu_ms + work:.0f} ms = "
              f"{most:.1f} reports/s if the cores did nothing else -> {most / r.rate:.2f}x "
              f"raw's {r.rate:.1f}/s at most (goal >= {ratio}x; the floor above reaches "
              f"{bursts[(delay, FLOOR)].rate / r.rate:.2f}x)")


def llm(delay: float) -> str:
    """How a burst's LLM is named in the figures."""
    return f"{delay:g} s" if delay else "instant"


def print_profile(path: Path, top: int = 25) -> None:
    """Where the app worker's event loop spent its time (both bursts and one at a time)."""
    import pstats

    print(f"profile of the app worker's event loop, whole run ({path}):")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    """Parse arguments and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workflows", type=int, default=200, help="reports per burst")
    ap.add_argument("--sequential", type=int, default=40,
                    help="reports of each kind run one at a time, the kinds taking turns")
    ap.add_argument("--rounds", type=int, default=3,
                    help="bursts of each kind per LLM delay, in rotating order; the figures "
                    "use each kind's median")
    ap.add_argument("--llm-delay", type=float, default=1.0, help="the slow LLM's seconds")
    ap.add_argument("--bare", type=int, default=30,
                    help="calls of each step's bare work measured alone, without Temporal")
    ap.add_argument("--gaps", action="store_true", help="print where each one-at-a-time "
                    "report's orchestration time goes, gap by gap of its history")
    ap.add_argument("--slots", action="store_true", help="after each burst, print where its "
                    "activities waited (server: no slot taken yet) and how many held a slot")
    ap.add_argument("--profile", type=Path, help="cProfile the app worker's event loop over the "
                    "whole run into this file and print its top functions")
    sys.exit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
