"""Running the web app: uvicorn, plus a worker in the same process when asked for."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import uvicorn

from durable_research import client as rc
from durable_research import local_worker
from durable_research.config import Settings
from durable_research.errors import ConfigError
from durable_research.loopback import is_loopback
from durable_research.web.app import create_app
from durable_research.web.context import WebContext

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
log = logging.getLogger(__name__)


def check_binding(host: str, settings: Settings) -> bool:
    """Whether ``host`` is loopback; anything else needs RESEARCH_WEB_TOKEN.

    Raises:
        ConfigError: A non-loopback address without a token.
    """
    loopback = is_loopback(host)
    if not loopback and not settings.web_token:
        raise ConfigError(
            f"Refusing to serve the web app on {host} without an access token: anyone who "
            "reaches that address could start reports and read them",
            "set RESEARCH_WEB_TOKEN to a long random value (e.g. `openssl rand -hex 32`), "
            "or bind to 127.0.0.1",
        )
    return loopback


async def serve(settings: Settings, conn: rc.Connection, host: str = DEFAULT_HOST,
                port: int = DEFAULT_PORT, with_worker: bool = True,
                on_ready: Callable[[uvicorn.Server], None] | None = None,
                log_level: str = "warning") -> None:
    """Serve until interrupted (or ``server.should_exit``), hosting a worker if asked.

    Args:
        settings: Settings of the app and of the hosted worker (LLM ready).
        conn: The Temporal connection (the CLI's, perhaps to the embedded server).
        host: Address to bind; see :func:`check_binding`.
        port: Port (0: a free one; ``on_ready`` sees the server and its sockets).
        with_worker: Make sure a worker serves the reports: the embedded server's
            supervised worker, or one hosted in this process.
        on_ready: Called once uvicorn listens.
        log_level: uvicorn's log level.
    """
    loopback = check_binding(host, settings)
    ctx = WebContext(settings=settings, loopback=loopback, conn=conn)
    app = create_app(ctx)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            # Live streams end when the server stops, not after their timeout.
                            timeout_graceful_shutdown=2, lifespan="off")
    server = uvicorn.Server(config)
    worker_task: asyncio.Task[None] | None = None
    worker = None
    # The embedded server's supervised worker (the same one `research run` uses), else
    # one hosted in this process (a cluster's server, or embedded mode turned off).
    if with_worker and not await asyncio.to_thread(local_worker.ensure_worker, settings):
        from durable_research.worker import build_worker  # imports litellm: seconds

        worker = build_worker(conn.client, settings)
        worker_task = asyncio.create_task(worker.run())
        worker_task.add_done_callback(_worker_stopped)
    watch_task = asyncio.create_task(_watch(server, ctx, on_ready))
    try:
        await server.serve()
    finally:
        watch_task.cancel()
        if worker is not None and worker_task is not None:
            if worker_task.done():
                with contextlib.suppress(Exception):
                    worker_task.result()
            else:
                await worker.shutdown()


def _worker_stopped(task: asyncio.Task[None]) -> None:
    # The pages keep working without it, but reports wait until some worker runs.
    if not task.cancelled() and task.exception() is not None:
        log.error("The in-process worker stopped: %s", task.exception())


async def _watch(server: uvicorn.Server, ctx: WebContext,
                 on_ready: Callable[[uvicorn.Server], None] | None) -> None:
    """Announce the start; on shutdown (Ctrl-C, or ``should_exit`` set by an embedding
    program) tell the live streams to end."""
    while not server.started and not server.should_exit:
        await asyncio.sleep(0.05)
    if on_ready and server.started:
        on_ready(server)
    while not server.should_exit:
        await asyncio.sleep(0.1)
    ctx.stopping.set()
