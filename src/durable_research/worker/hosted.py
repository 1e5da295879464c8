"""A worker for as long as a front end serves (``research web``, ``research mcp``).

The embedded server's supervised worker when there is one (the same one `research run`
uses), else a worker hosted in this process (a cluster's server, or embedded mode off).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from temporalio.client import Client

from durable_research.config import Settings
from durable_research.embedded import local_worker

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def reports_served(settings: Settings, client: Client,
                         wanted: bool = True) -> AsyncIterator[None]:
    """Make sure a worker serves the reports while the body runs.

    Args:
        settings: The worker's settings (LLM ready).
        client: The front end's Temporal client (a hosted worker shares it).
        wanted: False: nothing is started (the user runs `research worker`).
    """
    worker = None
    task: asyncio.Task[None] | None = None
    if wanted and not await asyncio.to_thread(local_worker.ensure_worker, settings):
        from durable_research.worker.build import build_worker  # imports litellm: seconds

        worker = build_worker(client, settings)
        task = asyncio.create_task(worker.run())
        task.add_done_callback(_worker_stopped)
    try:
        yield
    finally:
        if worker is not None and task is not None:
            if task.done():
                with contextlib.suppress(Exception):
                    task.result()
            else:
                await worker.shutdown()
                # shutdown() returns when polling has stopped; the run's own clean-up (the
                # activities' clients, the CPU process pool) follows in its task: wait for
                # it, or the loop ends first and leaves the pool counted as in use.
                with contextlib.suppress(Exception):
                    await task


def _worker_stopped(task: asyncio.Task[None]) -> None:
    # The front end keeps working without it, but reports wait until some worker runs.
    if not task.cancelled() and task.exception() is not None:
        log.error("The in-process worker stopped: %s", task.exception())
