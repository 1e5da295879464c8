"""What one report costs the server and the worker, app against the bare-work floor.

Usage: python bench/report_cost.py [--reports 20] [--llm-delay 1]

Issue 26, goal 6 asks for the app's reports/s within 0.9x of the bare-work floor's; on
this CPU-bound box that needs the app's CPU per report within ~1.11x of the floor's.
This script shows where the difference comes from, per report, with the reports run one
at a time (kinds taking turns, as ``throughput.py --sequential``) so each report's CPU is
its own: the history's events by type, the bytes of its payloads as the server stores
them (encrypted), the whole history's bytes, the activities that sent a heartbeat (heartbeats are no
history events, but an activity's first is sent to the server at once, a write of its
state there), and the server's and the worker's CPU ms, the worker's by thread. ``--burst
N`` starts N reports at once each time instead (the figures per report). ``--py-spy DIR``
samples each worker's threads while the reports run (py-spy installed in the venv).
``BENCH_WORKER_PATCH`` in the environment takes one cost out of both workers, only to
measure its share (``bench/_worker.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from _common import (
    DevServer,
    WorkerProc,
    connect,
    descendants,
    machine,
    run_main,
    start_fake_llm,
    worker_env,
)
from _floor import FloorReportWorkflow
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History
from temporalio.client import Client

from durable_research.contract.report import ReportInput
from durable_research.embedded import devserver
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.workflows.report import GenerateReportWorkflow

FLOOR, APP = "floor", "app"
KINDS = (FLOOR, APP)


def payload_bytes(msg: Message) -> int:
    """Bytes of every ``Payload`` inside a history event (data and metadata)."""
    if isinstance(msg, Payload):
        return msg.ByteSize()
    total = 0
    for _, value in msg.ListFields():
        if isinstance(value, Message):
            total += payload_bytes(value)
        elif isinstance(value, (list, tuple)) or type(value).__name__.startswith("Repeated"):
            total += sum(payload_bytes(v) for v in value if isinstance(v, Message))
        elif hasattr(value, "values") and not isinstance(value, (str, bytes)):  # a map
            total += sum(payload_bytes(v) for v in value.values() if isinstance(v, Message))
    return total


def cpu_ms(pid: int) -> float:
    """CPU ms of all of ``pid``'s threads so far, and of the processes it started (a
    worker's CPU process pool), to the nanosecond (/proc schedstat; the clock-tick
    figures of /proc/PID/stat are 10 ms steps, as large as a report's cost)."""
    return sum(thread_cpu(pid).values()) / 1e6


# The key under which thread_cpu counts the CPU of the processes ``pid`` started.
CHILDREN = -1


def _tasks_ns(pid: int) -> dict[int, int]:
    """CPU ns of each of ``pid``'s threads so far, by thread id."""
    out = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out[int(task.name)] = int((task / "schedstat").read_text().split()[0])
        except OSError:
            continue  # the thread ended meanwhile
    return out


def thread_cpu(pid: int) -> dict[int, int]:
    """CPU ns of each of ``pid``'s threads so far, by thread id; the processes it started
    (a worker's CPU process pool), all their threads, under :data:`CHILDREN`."""
    return {**_tasks_ns(pid),
            CHILDREN: sum(sum(_tasks_ns(child).values()) for child in descendants(pid))}


def thread_names(pid: int) -> dict[int, str]:
    """Each thread's name, numbered pool threads folded into one (``dr-io_3`` ->
    ``dr-io``): Python's from ``py-spy dump`` where py-spy is installed next to this
    interpreter, the others (the SDK's Rust threads) from ``/proc``."""
    names: dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            names[int(task.name)] = (task / "comm").read_text().strip()
    exe = Path(sys.executable).with_name("py-spy")
    if exe.exists():
        dump = subprocess.run([str(exe), "dump", "--pid", str(pid), "--nonblocking"],
                              capture_output=True, text=True, timeout=60).stdout
        for tid, name in re.findall(r'^Thread (\d+) \([a-z]+\): "([^"]*)"', dump, re.M):
            names[int(tid)] = name
    return {CHILDREN: "child processes",
            **{tid: re.sub(r"[_-]\d+$", "", name) for tid, name in names.items()}}


class Report:
    """One report's history and CPU."""

    def __init__(self, events: list[Any], server_ms: float, worker_ms: float) -> None:
        """Summarise the fetched ``events``."""
        self.types = Counter(EventType.Name(ev.event_type).removeprefix("EVENT_TYPE_")
                             for ev in events)
        self.events = len(events)
        self.history_bytes = History(events=events).ByteSize()
        self.payload_bytes = sum(payload_bytes(ev) for ev in events)
        self.payloads_by_type = Counter[str]()
        for ev in events:
            self.payloads_by_type[EventType.Name(ev.event_type).removeprefix("EVENT_TYPE_")] += (
                payload_bytes(ev))
        self.server_ms, self.worker_ms = server_ms, worker_ms


def beats(path: Path) -> int:
    """Activities that sent a heartbeat so far (the worker's ``--count-heartbeats``)."""
    return len(path.read_text().splitlines()) if path.exists() else 0


async def burst(kind: str, client: Client, worker: tuple[str, WorkerProc], r: int, n: int,
                tmp: Path, server_pid: int, idle: tuple[float, float]) -> Report:
    """``n`` reports started at once: the mean report's history and CPU."""
    tq, proc = worker
    s0, w0, t0 = cpu_ms(server_pid), cpu_ms(proc.proc.pid), time.monotonic()
    wids = await asyncio.gather(*(one(kind, client, tq, r * n + i, tmp / "reports")
                                  for i in range(n)))
    await asyncio.sleep(0.2)
    s1, w1 = cpu_ms(server_pid), cpu_ms(proc.proc.pid)
    idle_s, idle_w = (t * (time.monotonic() - t0) for t in idle)
    events = [ev async for ev in client.get_workflow_handle(wids[0]).fetch_history_events()]
    return Report(events, (s1 - s0 - idle_s) / n, (w1 - w0 - idle_w) / n)


async def one(kind: str, client: Client, tq: str, i: int, out: Path) -> str:
    """One report of ``kind``, waited for; its workflow id."""
    wid = f"{kind}-{tq}-{i}"
    prompt = f"Throughput cost {i}: tardigrade facts."
    if kind == FLOOR:
        await client.execute_workflow(FloorReportWorkflow.run, prompt, id=wid, task_queue=tq)
    else:
        params = ReportInput(prompt=prompt, output_dir=str(out),
                             email_to=f"reader{i}@example.com")
        result = await client.execute_workflow(GenerateReportWorkflow.run, params, id=wid,
                                               task_queue=tq)
        assert result.status == "completed" and result.email.sent, result
    return wid


async def run(args: argparse.Namespace) -> int:
    """Run the reports and print the comparison."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-cost-"))
    fake, sink = start_fake_llm(args.llm_delay), SmtpSink().start()
    server = DevServer(tmp / "server")
    server.start()
    workers: dict[str, tuple[str, WorkerProc]] = {}
    how = f"in bursts of {args.burst}" if args.burst else "one at a time"
    print(f"report cost: {args.reports} {'bursts' if args.burst else 'reports'} of each kind "
          f"{how}, LLM "
          f"{args.llm_delay:g} s; machine: {machine()}", flush=True)
    try:
        server_pid = devserver.running_pid(server.data_dir) or 0
        for kind in KINDS:
            tq = f"{kind}-{uuid.uuid4().hex[:6]}"
            env = worker_env(server.address, tq, fake, tmp, sink.port)
            worker_args = ["--floor"] if kind == FLOOR else []
            worker_args += ["--count-heartbeats", str(tmp / f"beats-{kind}")]
            workers[kind] = (tq, WorkerProc(env, tmp / f"worker-{kind}.log", worker_args))
        for _, w in workers.values():
            await asyncio.to_thread(w.wait_ready)
        client = await connect(server.address)
        for kind, (tq, _) in workers.items():
            for i in range(3):  # warm-up
                await one(kind, client, tq, -1 - i, tmp / "reports")
        # CPU per second of the server and each worker with nothing to do (polls,
        # timers): taken off each report's figures.
        idle: dict[str, tuple[float, float]] = {}
        for kind, (_, worker) in workers.items():
            s0, w0, t0 = cpu_ms(server_pid), cpu_ms(worker.proc.pid), time.monotonic()
            await asyncio.sleep(3)
            wall = time.monotonic() - t0
            idle[kind] = ((cpu_ms(server_pid) - s0) / wall, (cpu_ms(worker.proc.pid) - w0) / wall)
            print(f"  idle {kind}: server {idle[kind][0]:.1f} ms/s, worker {idle[kind][1]:.1f} "
                  "ms/s", flush=True)
        done: dict[str, list[Report]] = {k: [] for k in KINDS}
        spies = [spy(w.proc.pid, args.py_spy / f"{kind}.txt")
                 for kind, (_, w) in workers.items()] if args.py_spy else []
        beats0 = {k: beats(tmp / f"beats-{k}") for k in KINDS}
        by_thread = {k: Counter[int]() for k in KINDS}  # CPU ns, one at a time only
        for i in range(args.reports):
            for kind in KINDS if i % 2 == 0 else tuple(reversed(KINDS)):
                if args.burst:
                    done[kind].append(await burst(kind, client, workers[kind], i, args.burst,
                                                  tmp, server_pid, idle[kind]))
                    continue
                tq, worker = workers[kind]
                await asyncio.sleep(0.2)  # let the previous report's tail (acks) settle
                threads0 = thread_cpu(worker.proc.pid)
                s0, w0, t0 = cpu_ms(server_pid), cpu_ms(worker.proc.pid), time.monotonic()
                wid = await one(kind, client, tq, i, tmp / "reports")
                await asyncio.sleep(0.2)
                s1, w1 = cpu_ms(server_pid), cpu_ms(worker.proc.pid)
                for tid, ns in thread_cpu(worker.proc.pid).items():
                    by_thread[kind][tid] += ns - threads0.get(tid, 0)
                idle_s, idle_w = (t * (time.monotonic() - t0) for t in idle[kind])
                handle = client.get_workflow_handle(wid)
                events = [ev async for ev in handle.fetch_history_events()]
                done[kind].append(Report(events, s1 - s0 - idle_s, w1 - w0 - idle_w))
        beaten = {k: beats(tmp / f"beats-{k}") - beats0[k] for k in KINDS}
        names = {k: thread_names(w.proc.pid) for k, (_, w) in workers.items()}
        for proc in spies:  # SIGINT: py-spy writes what it sampled and exits
            proc.send_signal(signal.SIGINT)
            await asyncio.to_thread(proc.wait, 60)
    finally:
        for _, w in workers.values():
            if w.alive:
                w.kill()
        server.stop()
        sink.stop()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    for kind in KINDS:
        reports = done[kind]
        mean = statistics.fmean
        types, by_type = Counter[str](), Counter[str]()
        for r in reports:
            types.update(r.types)
            by_type.update(r.payloads_by_type)
        print(f"  {kind:<5}: events {mean(r.events for r in reports):.1f}, history "
              f"{mean(r.history_bytes for r in reports):.0f} B (payloads "
              f"{mean(r.payload_bytes for r in reports):.0f} B); CPU ms per report "
              f"(idle CPU taken off) server {statistics.median(r.server_ms for r in reports):.1f}"
              f", worker {statistics.median(r.worker_ms for r in reports):.1f} (medians)")
        per = args.reports * max(1, args.burst)
        print(f"         activities that sent a heartbeat: {beaten[kind] / per:.2f} a report")
        print("         events: " + ", ".join(f"{t} {n / len(reports):g}"
                                           for t, n in sorted(types.items())))
        if not args.burst:
            groups = Counter[str]()
            for tid, ns in by_thread[kind].items():
                groups[names[kind].get(tid, "ended")] += ns
            print("         worker CPU ms a report by thread (idle CPU not taken off): "
                  + ", ".join(f"{g} {ns / 1e6 / len(reports):.1f}"
                              for g, ns in groups.most_common() if ns / 1e6 / len(reports) >= 0.05))
        print("         payload bytes: " + ", ".join(f"{t} {n / len(reports):.0f}"
                                                  for t, n in sorted(by_type.items()) if n))
    return 0


def spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """Sample ``pid``'s threads on CPU with py-spy (next to this interpreter: ``uv pip
    install py-spy`` into the venv) into ``out``, collapsed stacks, until SIGINT."""
    out.parent.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(exe), "record", "--pid", str(pid), "--rate", "250",
                             "--threads", "--nonblocking", "--format", "raw", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    """Parse arguments and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=20, help="reports of each kind")
    ap.add_argument("--burst", type=int, default=0,
                    help="start this many reports at once each time (the figures per report)")
    ap.add_argument("--llm-delay", type=float, default=1.0, help="the fake LLM's seconds")
    ap.add_argument("--py-spy", type=Path, help="sample each worker with py-spy while the "
                    "reports run, into DIR/floor.txt and DIR/app.txt (collapsed stacks)")
    raise SystemExit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
