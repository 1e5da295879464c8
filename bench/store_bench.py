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
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import DevServer, WorkerProc, connect, machine, p50_p95, run_main, start_fake_llm
from _common import worker_env as base_env
from temporalio.client import Client

from durable_research.shared import ReportInput, ReportResult
from durable_research.testing.s3_server import S3Server
from durable_research.workflows.report import GenerateReportWorkflow


async def burst(client: Client, tq: str, n: int, tag: str) -> float:
    """Start ``n`` reports at once; the wall time until all are done (s)."""
    t0 = time.perf_counter()
    handles = [
        await client.start_workflow(
            GenerateReportWorkflow.run, ReportInput(prompt=f"Store bench {tag} {i}."),
            id=f"sb-{tag}-{i}-{uuid.uuid4().hex[:6]}", task_queue=tq, result_type=ReportResult)
        for i in range(n)
    ]
    results = await asyncio.gather(*(h.result() for h in handles))
    assert all(r.keys for r in results), "a report did not reach the store"
    return time.perf_counter() - t0


async def one_by_one(client: Client, tq: str, n: int, tag: str) -> list[float]:
    """End-to-end latency (s) of ``n`` reports run one at a time."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        await client.execute_workflow(
            GenerateReportWorkflow.run, ReportInput(prompt=f"Store bench seq {tag} {i}."),
            id=f"sbs-{tag}-{i}-{uuid.uuid4().hex[:6]}", task_queue=tq)
        times.append(time.perf_counter() - t0)
    return times


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
    s3 = S3Server().start()
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
            worker = WorkerProc(env, tmp / f"{name}.log")
            worker.wait_ready()
            workers.append(worker)
            queues[name] = tq
        await burst(client, queues["directory"], 5, "warm-d")  # imports, fonts, connections
        await burst(client, queues["s3"], 5, "warm-s")
        rates: dict[str, list[float]] = {n: [] for n in stores}
        latency: dict[str, list[float]] = {n: [] for n in stores}
        for r in range(args.rounds):
            for name in (stores if r % 2 == 0 else reversed(list(stores))):
                wall = await burst(client, queues[name], args.reports, f"{name}{r}")
                rates[name].append(args.reports / wall)
                latency[name] += await one_by_one(client, queues[name], args.sequential,
                                                  f"{name}{r}")
        print(f"{args.reports} reports per burst, {args.sequential} one at a time, "
              f"{args.rounds} rounds per store (instant fake LLM, PDF only, no mail)")
        for name in stores:
            print(f"  {name:9s} {statistics.mean(rates[name]):6.1f} reports/s   latency "
                  f"{p50_p95(latency[name], 'ms', 1000, 0)}")
        ratio_rate = statistics.mean(rates["s3"]) / statistics.mean(rates["directory"])
        ratio_lat = statistics.median(latency["s3"]) / statistics.median(latency["directory"])
        print(f"  s3 / directory: throughput x{ratio_rate:.2f}, p50 latency x{ratio_lat:.2f}")
        return 0
    finally:
        for worker in workers:
            worker.kill()
        s3.stop()
        fake.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(run_main(main()))
