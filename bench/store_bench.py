"""Directory store vs S3 store: report throughput and latency, measured in the same run.

Usage: python bench/store_bench.py [--reports 60] [--sequential 10] [--rounds 2]

One dev server, one instant fake LLM and a real S3-protocol server (moto, on
127.0.0.1). For each store a worker process runs the same batch of single-call
reports (LLM -> PDF into the output folder and the store -> no mail); rounds
alternate between the stores so load drift hits both. Printed: reports/s for a
burst, p50/p95 end-to-end latency one at a time, and each as a ratio S3/directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

from _ab import compare
from _common import DevServer, WorkerProc, connect, machine, run_main, start_fake_llm
from _common import worker_env as base_env

from durable_research.testing.s3_server import S3Server


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--sequential", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="store-bench-"))
    server = DevServer(tmp / "temporal")
    server.start()
    fake = start_fake_llm()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    s3 = S3Server(start_timeout_s=120).start()  # generous: a loaded 2-core box
    s3.create_bucket("bench")
    workers: list[WorkerProc] = []
    try:
        client = await connect(server.address)
        stores = {"directory": {"RESEARCH_STORE": str(tmp / "store")},
                  "s3": {"RESEARCH_STORE": "s3://bench/reports", "S3_ENDPOINT_URL":
                         s3.endpoint_url, "S3_REGION": "us-east-1"}}
        queues = {}
        for name, extra in stores.items():
            tq = f"sb-{name}-{uuid.uuid4().hex[:6]}"
            env = {**base_env(server.address, tq, fake, tmp / name), **extra}
            env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
            workers.append(WorkerProc(env, tmp / f"{name}.log"))
            queues[name] = tq
        for worker in workers:  # started side by side: each start-up is seconds of imports
            worker.wait_ready()
        await compare({name: client for name in stores}, queues, args.reports,
                      args.sequential, args.rounds, "store")
        return 0
    finally:
        for worker in workers:
            worker.kill()
        s3.stop()
        fake.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(run_main(main()))
