"""Running the web app: uvicorn, plus a worker in the same process when asked for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import uvicorn

from durable_research import client as rc
from durable_research.access import Access
from durable_research.access import access_for as listener_access
from durable_research.config import Settings
from durable_research.web.app import create_app
from durable_research.web.context import WebContext
from durable_research.worker.hosted import reports_served

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def access_for(host: str, settings: Settings, insecure_no_token: bool = False) -> Access:
    """The web app's access rule on ``host`` (:func:`durable_research.access.access_for`
    with RESEARCH_WEB_TOKEN).

    Raises:
        ConfigError: A RESEARCH_WEB_TOKEN shorter than the minimum; off loopback, no
            RESEARCH_WEB_TOKEN or the opt-out.
    """
    return listener_access(host, settings.web_token, "RESEARCH_WEB_TOKEN",
                           "every report and your LLM and mail accounts", insecure_no_token)


async def serve(settings: Settings, conn: rc.Connection, access: Access,
                host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, with_worker: bool = True,
                on_ready: Callable[[uvicorn.Server], None] | None = None,
                log_level: str = "warning") -> None:
    """Serve until interrupted (or ``server.should_exit``), hosting a worker if asked.

    Args:
        settings: Settings of the app and of the hosted worker (LLM ready).
        conn: The Temporal connection (the CLI's, perhaps to the embedded server).
        access: The token rule (:func:`access_for` with the same ``host``).
        host: Address to bind.
        port: Port (0: a free one; ``on_ready`` sees the server and its sockets).
        with_worker: Make sure a worker serves the reports: the embedded server's
            supervised worker, or one hosted in this process.
        on_ready: Called once uvicorn listens.
        log_level: uvicorn's log level.
    """
    ctx = WebContext(settings=settings, token=access.token, loopback=access.loopback, conn=conn)
    app = create_app(ctx)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            # Live streams end when the server stops, not after their timeout.
                            timeout_graceful_shutdown=2, lifespan="off")
    server = uvicorn.Server(config)
    async with reports_served(settings, conn.client, with_worker):
        watch_task = asyncio.create_task(_watch(server, ctx, on_ready))
        try:
            await server.serve()
        finally:
            watch_task.cancel()


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
