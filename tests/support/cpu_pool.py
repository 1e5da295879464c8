"""The worker's process pool started for a test, warm, and shut down after it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from durable_research.activities import procpool


@contextlib.asynccontextmanager
async def warm_pool(size: int) -> AsyncIterator[None]:
    """A pool of ``size`` children, each up before the body runs."""
    procpool.start(size)
    try:
        await procpool.warm()
        yield
    finally:
        await procpool.stop()
