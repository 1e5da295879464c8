"""A/B rounds of single-call reports: two set-ups, alternating, figures and ratios.

Shared by the store and encryption benches: each set-up has its own worker process
(on its own task queue) and a client; rounds alternate the order so load drift hits
both; printed are reports/s of a burst, latency one at a time, and the ratios B/A.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

from _common import p50_p95
from temporalio.client import Client

from durable_research.contract.report import ReportInput
from durable_research.workflows.report import GenerateReportWorkflow


async def burst(client: Client, tq: str, n: int, tag: str) -> float:
    """Start ``n`` reports at once; the wall time until all are done (s)."""
    t0 = time.perf_counter()
    handles = [
        await client.start_workflow(
            GenerateReportWorkflow.run, ReportInput(prompt=f"A/B bench {tag} {i}."),
            id=f"ab-{tag}-{i}-{uuid.uuid4().hex[:6]}", task_queue=tq)
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
            GenerateReportWorkflow.run, ReportInput(prompt=f"A/B bench seq {tag} {i}."),
            id=f"abs-{tag}-{i}-{uuid.uuid4().hex[:6]}", task_queue=tq)
        times.append(time.perf_counter() - t0)
    return times


async def compare(clients: dict[str, Client], queues: dict[str, str], reports: int,
                  sequential: int, rounds: int, what: str) -> None:
    """Run the rounds for the two set-ups (A first in ``clients``) and print the figures."""
    names = list(clients)
    for name in names:  # imports, fonts, connections
        await burst(clients[name], queues[name], 5, f"warm-{name}")
    rates: dict[str, list[float]] = {n: [] for n in names}
    latency: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            wall = await burst(clients[name], queues[name], reports, f"{name}{r}")
            rates[name].append(reports / wall)
            latency[name] += await one_by_one(clients[name], queues[name], sequential,
                                              f"{name}{r}")
    print(f"{reports} reports per burst, {sequential} one at a time, {rounds} rounds per "
          f"{what} (instant fake LLM, PDF only, no mail)")
    for name in names:
        print(f"  {name:14s} {statistics.mean(rates[name]):6.1f} reports/s   latency "
              f"{p50_p95(latency[name], 'ms', 1000, 0)}")
    a, b = names
    rate = statistics.mean(rates[b]) / statistics.mean(rates[a])
    lat = statistics.median(latency[b]) / statistics.median(latency[a])
    print(f"  {b} / {a}: throughput x{rate:.2f}, p50 latency x{lat:.2f}")
