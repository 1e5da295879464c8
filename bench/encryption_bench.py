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
import sys
import tempfile
import uuid
from pathlib import Path

from _ab import compare
from _common import DevServer, WorkerProc, machine, run_main, start_fake_llm
from _common import worker_env as base_env

from durable_research.config import Settings
from durable_research.payloads.codec import data_converter
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
        await compare({f"encryption {n}": clients[n] for n in ("off", "on")},
                      {f"encryption {n}": queues[n] for n in ("off", "on")},
                      args.reports, args.sequential, args.rounds, "mode")
        return 0
    finally:
        for worker in workers:
            worker.kill()
        fake.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(run_main(main()))
