"""Payload encryption on vs off: report throughput and latency, measured in the same run.

Usage: python bench/encryption_bench.py [--reports 60] [--sequential 10] [--rounds 2]

One dev server and an instant fake LLM; one worker process with encryption on (the
default) and one with RESEARCH_ENCRYPTION=off, each on its own task queue, with a
client to match; rounds alternate. Printed: reports/s for a burst, latency one at a
time, and the ratios on/off.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from _common import DevServer, WorkerProc, machine, p50_p95, run_main, start_fake_llm
from _common import worker_env as base_env
from store_bench import burst, one_by_one

from durable_research.codec import data_converter
from durable_research.config import Settings
from durable_research.testing.temporal import connect_retrying


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--sequential", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="encryption-bench-"))
    server = DevServer(tmp / "temporal")
    server.start()
    fake = start_fake_llm()
    key = base64.b64encode(os.urandom(32)).decode()
    modes = {"on": {"RESEARCH_ENCRYPTION": "on", "RESEARCH_PAYLOAD_KEY": key},
             "off": {"RESEARCH_ENCRYPTION": "off", "RESEARCH_PAYLOAD_KEY": ""}}
    workers: list[WorkerProc] = []
    try:
        clients, queues = {}, {}
        for name, extra in modes.items():
            tq = f"eb-{name}-{uuid.uuid4().hex[:6]}"
            env = {**base_env(server.address, tq, fake, tmp / name), **extra}
            worker = WorkerProc(env, tmp / f"{name}.log")
            worker.wait_ready()
            workers.append(worker)
            queues[name] = tq
            settings = Settings(encryption=name == "on", payload_key=key if name == "on" else "",
                                data_dir=str(tmp / name / "client"))
            clients[name] = await connect_retrying(server.address,
                                                   data_converter=data_converter(settings))
        for name in modes:
            await burst(clients[name], queues[name], 5, f"warm-{name}")
        rates: dict[str, list[float]] = {n: [] for n in modes}
        latency: dict[str, list[float]] = {n: [] for n in modes}
        for r in range(args.rounds):
            for name in (modes if r % 2 == 0 else reversed(list(modes))):
                wall = await burst(clients[name], queues[name], args.reports, f"{name}{r}")
                rates[name].append(args.reports / wall)
                latency[name] += await one_by_one(clients[name], queues[name],
                                                  args.sequential, f"{name}{r}")
        print(f"{args.reports} reports per burst, {args.sequential} one at a time, "
              f"{args.rounds} rounds per mode (instant fake LLM, PDF only, no mail)")
        for name in modes:
            print(f"  encryption {name:3s} {statistics.mean(rates[name]):6.1f} reports/s   "
                  f"latency {p50_p95(latency[name], 'ms', 1000, 0)}")
        ratio = statistics.mean(rates["on"]) / statistics.mean(rates["off"])
        lat = statistics.median(latency["on"]) / statistics.median(latency["off"])
        print(f"  on / off: throughput x{ratio:.2f}, p50 latency x{lat:.2f}")
        return 0
    finally:
        for worker in workers:
            worker.kill()
        fake.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(run_main(main()))
