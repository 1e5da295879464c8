"""Keep an activity heartbeating while it awaits slow work.

Heartbeats let Temporal notice a dead worker within ``heartbeat_timeout``
instead of the full start-to-close timeout, and deliver cancellation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from temporalio import activity

T = TypeVar("T")


async def with_heartbeats(work: Awaitable[T], interval_s: float = 1.0, detail: str = "") -> T:
    """Await ``work`` while heartbeating every ``interval_s`` seconds.

    If the activity is cancelled (the heartbeat delivers the cancel), ``work`` is
    cancelled too and ``asyncio.CancelledError`` propagates.
    """

    async def beat() -> None:
        while True:
            activity.heartbeat(detail)
            await asyncio.sleep(interval_s)

    beater = asyncio.create_task(beat())
    try:
        return await work
    finally:
        beater.cancel()
