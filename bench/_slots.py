"""Where a burst's activities waited: on the server for a slot, or running in the worker.

From the burst's histories (server clock): each activity's wait from scheduled to
started (a task not yet taken: the worker had no free slot or no poll out) and its run
from started to closed (the slot held in the worker, work and waits inside it alike),
by activity type; how many activities held a slot at once (mean over the burst, and
the most) and how many of them were LLM calls; and the attempts after the first (a step
that ran twice). ``throughput.py --slots`` prints it after each burst: whether a slow
burst waited for slots or worked.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from _common import Step, pct, steps_of
from temporalio.client import Client

# The steps that wait on the network in the app and in the bench's floor and raw workflows.
LLM_STEPS = frozenset({"llm_call", "floor_llm", "raw_llm"})


@dataclass
class SlotUse:
    """One burst's activities: per type (wait, run) seconds; concurrency; retries."""

    waits: dict[str, list[float]]
    runs: dict[str, list[float]]
    mean_held: float
    max_held: int
    mean_llm_held: float
    retried: int

    def line(self) -> str:
        """The summary printed under the burst's line."""
        per_type = "; ".join(
            f"{name} wait p50 {pct(w, 50) * 1000:.0f} / p90 {pct(w, 90) * 1000:.0f} ms, run p50 "
            f"{pct(self.runs[name], 50) * 1000:.0f} / p90 {pct(self.runs[name], 90) * 1000:.0f} ms"
            for name, w in sorted(self.waits.items()))
        return (f"    slots held: mean {self.mean_held:.1f} (LLM calls {self.mean_llm_held:.1f}), "
                f"max {self.max_held}; attempts after the first {self.retried}; {per_type}")


def slot_use(steps: list[Step]) -> SlotUse:
    """Summarise the activities of one burst (every report's steps together)."""
    waits: dict[str, list[float]] = defaultdict(list)
    runs: dict[str, list[float]] = defaultdict(list)
    edges: list[tuple[float, int, bool]] = []
    for s in steps:
        if not s.started:
            continue
        waits[s.name].append(s.started - s.scheduled)
        runs[s.name].append(s.closed - s.started)
        llm = s.name in LLM_STEPS
        edges += [(s.started, 1, llm), (s.closed, -1, llm)]
    edges.sort()
    held = llm_held = top = 0
    area = llm_area = 0.0
    for (t, step, llm), nxt in zip(edges, edges[1:] + edges[-1:], strict=True):
        held += step
        llm_held += step if llm else 0
        top = max(top, held)
        area += held * (nxt[0] - t)
        llm_area += llm_held * (nxt[0] - t)
    span = (edges[-1][0] - edges[0][0]) if edges else 0.0
    return SlotUse(dict(waits), dict(runs), area / span if span else 0.0, top,
                   llm_area / span if span else 0.0,
                   sum(max(0, s.attempt - 1) for s in steps))


async def burst_slot_use(client: Client, workflow_ids: list[str]) -> SlotUse:
    """Fetch the burst's histories (a few at a time) and summarise them."""
    sem = asyncio.Semaphore(10)

    async def one(wid: str) -> list[Step]:
        async with sem:
            handle = client.get_workflow_handle(wid)
            return steps_of([ev async for ev in handle.fetch_history_events()])

    done = await asyncio.gather(*(one(w) for w in workflow_ids))
    return slot_use([s for steps in done for s in steps])
