"""Running the web app: uvicorn, plus a worker in the same process when asked for."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from durable_research import client as rc
from durable_research.access import checked_token, new_token, refuse_no_token_off_loopback
from durable_research.config import Settings
from durable_research.embedded import local_worker
from durable_research.errors import ConfigError
from durable_research.loopback import is_loopback
from durable_research.web.app import create_app
from durable_research.web.context import WebContext
from durable_research.web.security import TOKEN_PARAM

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    """Who may use the app: the token every request needs, decided once at start.

    Args:
        token: The launch token or RESEARCH_WEB_TOKEN; empty only when the user opted
            out on loopback (``--insecure-no-token``).
        loopback: Bound to loopback only (then the Host header must be loopback too).
        launch: The token was made for this launch (so it may be printed: it is no
            configured secret, and it ends with the process).
    """

    token: str
    loopback: bool
    launch: bool = False

    def login_url(self, host: str, port: int) -> str:
        """The URL to print and open: with the launch token in it (as Jupyter's), or
        without a configured token (never echoed)."""
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        base = f"http://{shown}:{port}/"
        return f"{base}?{TOKEN_PARAM}={self.token}" if self.launch else base


def access_for(host: str, settings: Settings, insecure_no_token: bool = False) -> Access:
    """The access rule for serving on ``host``: a token always (RESEARCH_WEB_TOKEN, or
    one made for this launch on loopback), unless opted out on loopback.

    Raises:
        ConfigError: A RESEARCH_WEB_TOKEN shorter than the minimum; off loopback, no
            RESEARCH_WEB_TOKEN or the opt-out.
    """
    loopback = is_loopback(host)
    if insecure_no_token:
        if not loopback:
            refuse_no_token_off_loopback(host, "every report and your LLM and mail accounts")
        return Access(token="", loopback=True)
    if settings.web_token:
        return Access(checked_token(settings.web_token, "RESEARCH_WEB_TOKEN"), loopback)
    if not loopback:
        raise ConfigError(
            f"Refusing to serve the web app on {host} without RESEARCH_WEB_TOKEN: off "
            "loopback, choose the token yourself (and serve it over HTTPS)",
            "set RESEARCH_WEB_TOKEN to a long random value (e.g. `openssl rand -hex 32`), "
            "or bind to 127.0.0.1 (a new token is made at every start)",
        )
    return Access(new_token(), loopback, launch=True)


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
    worker_task: asyncio.Task[None] | None = None
    worker = None
    # The embedded server's supervised worker (the same one `research run` uses), else
    # one hosted in this process (a cluster's server, or embedded mode turned off).
    if with_worker and not await asyncio.to_thread(local_worker.ensure_worker, settings):
        from durable_research.worker.build import build_worker  # imports litellm: seconds

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
