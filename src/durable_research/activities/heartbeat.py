"""Keep an activity heartbeating while it awaits slow work.

Heartbeats let Temporal notice a dead worker within ``heartbeat_timeout``
instead of the full start-to-close timeout, and deliver cancellation.

The first heartbeat waits 0.4 x the heartbeat timeout (2 s of the usual 5 s): the
SDK sends the first one to the server at once (later ones are throttled to 0.8 x
the timeout), and each is a write of the activity's state on the server. Renders,
mails, store calls and a fast LLM's answers end sooner, so they cost the server
nothing; a step that does run long heartbeats with more slack for a stalled event
loop (0.6 x the timeout, the server counting from the attempt's start) than the
SDK leaves between later beats (0.2 x).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

T = TypeVar("T")


FIRST_BEAT_SHARE = 0.4


def first_beat_s(interval_s: float) -> float:
    """Seconds from now to the first heartbeat: a share of the heartbeat timeout after
    the attempt started (the server's clock starts then, not when our code runs)."""
    info = activity.info()
    if not info.heartbeat_timeout:
        return interval_s
    due = info.heartbeat_timeout.total_seconds() * FIRST_BEAT_SHARE
    if info.started_time is not None:
        due -= time.time() - info.started_time.timestamp()
    return max(0.0, due)


async def _beat(interval_s: float, detail: str, first_s: float | None = None) -> None:
    await asyncio.sleep(first_beat_s(interval_s) if first_s is None else first_s)
    while True:
        activity.heartbeat(*([detail] if detail else []))
        await asyncio.sleep(interval_s)


class _Heartbeating(ActivityInboundInterceptor):
    # ``self.next`` rather than super(): one frame less in every failure's stack trace
    # (activities/run_guard.py says why that counts).
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:  # noqa: A002 - temporalio's parameter name
        if not activity.info().heartbeat_timeout or not inspect.iscoroutinefunction(input.fn):
            return await self.next.execute_activity(input)
        beater = asyncio.create_task(_beat(1.0, ""))
        try:
            return await self.next.execute_activity(input)
        finally:
            beater.cancel()


class HeartbeatWhileRunning(Interceptor):
    """Heartbeat every async activity with a heartbeat timeout from its start to its end.

    Not only around its slow call: under load, the store reads and ledger writes
    before it wait for threads too, and an attempt whose first beat comes after the
    timeout is failed while it works (measured: 3 of 20 PDF and mail steps in a
    burst of 200 reports with a 1 s LLM).
    """

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:  # noqa: A002 - temporalio's parameter name
        return _Heartbeating(super().intercept_activity(next))


async def with_heartbeats(work: Awaitable[T], interval_s: float = 1.0, detail: str = "",
                          first_s: float | None = None) -> T:
    """Await ``work`` while heartbeating every ``interval_s`` seconds after the first.

    ``first_s`` overrides when the first beat goes out; 0 sends it at once. The LLM step
    and the agent's model turns no longer do: that beat was a write on the server for
    every call, a fast answer's included (issue 26, goal 6: 6.5 of the 11 ms of server
    CPU a report cost over the bare work), and a call rides out a server outage with
    its first beat when due as well (tests/e2e/reports/test_durability.py).

    If the activity is cancelled (the heartbeat delivers the cancel), ``work`` is
    cancelled too and ``asyncio.CancelledError`` propagates.
    """
    beater = asyncio.create_task(_beat(interval_s, detail, first_s))
    try:
        return await work
    finally:
        beater.cancel()
