"""``research mcp --http``: the MCP server over streamable HTTP on 127.0.0.1, behind a token.

The same rule as ``research web`` (:mod:`durable_research.access`): a new token at
every start, printed once; every request sends it as ``Authorization: Bearer``; wrong
ones are throttled per client address; the ``Host`` header must be a loopback name (no
DNS rebinding), and the SDK refuses browser ``Origin``s besides.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from durable_research.access import Access, Throttle, new_token, same_token
from durable_research.loopback import host_name, is_loopback
from durable_research.mcp.server import build_server
from durable_research.mcp.tools import McpContext
from durable_research.worker.hosted import reports_served

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MCP_PATH = "/mcp"
# Host headers the SDK's own check accepts (any port: --port 0 picks one).
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
TOKEN_FORM = "Authorization: Bearer <token>."
NO_TOKEN = "A token is required:"
WRONG_TOKEN = ("Wrong token: send the one this server printed when it started (a new one at "
               "each start):")


class TokenGuard:
    """Refuses a request before the MCP app sees it: a foreign Host (421), no or a wrong
    bearer token (401), too many wrong ones from its address (429)."""

    def __init__(self, app: ASGIApp, token: str, throttle: Throttle | None = None) -> None:
        self.app = app
        self.token = token
        # Not `or`: a Throttle with no failures yet has len() 0, so it is falsy.
        self.throttle = throttle if throttle is not None else Throttle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the SDK's session manager starts there
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not is_loopback(host_name(headers.get("host", ""))):
            await _plain(send, 421, "This server only answers to localhost / 127.0.0.1.")
            return
        client = scope.get("client")
        address = str(client[0]) if client else ""
        wait = self.throttle.retry_after(address)
        if wait:
            await _plain(send, 429, "Too many wrong tokens: wait a minute and try again.",
                         [(b"retry-after", str(math.ceil(wait)).encode())])
            return
        sent = headers.get("authorization", "")
        sent = sent[7:].strip() if sent.lower().startswith("bearer ") else ""
        if not same_token(sent, self.token):
            if sent:
                self.throttle.failed(address)
            # A wrong one is most often an earlier start's, still in the client's config.
            text = (f"{WRONG_TOKEN} {TOKEN_FORM}" if sent else f"{NO_TOKEN} {TOKEN_FORM}")
            await _plain(send, 401, text,
                         [(b"www-authenticate", b'Bearer realm="research mcp"')])
            return
        self.throttle.succeeded(address)
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def launch_access() -> Access:
    """The access rule: a new token for this start (no opt-out, no configured token: a
    client's config holds it for this run of the server only)."""
    return Access(new_token(), loopback=True, launch=True)


def endpoint(access: Access, port: int) -> str:
    """The URL an MCP client connects to."""
    return access.base_url(HOST, port).rstrip("/") + MCP_PATH


async def serve_http(ctx: McpContext, access: Access, port: int = DEFAULT_PORT,
                     with_worker: bool = True,
                     on_ready: Callable[[int], None] | None = None) -> None:
    """Serve on 127.0.0.1:``port`` until interrupted (or ``should_exit``).

    Args:
        access: The token rule (a launch token: ``access_for`` on loopback).
        port: 0: a free one (``on_ready`` gets the bound port).
        on_ready: Called once it listens.
    """
    if not access.token or not access.loopback:
        raise ValueError("the MCP HTTP server runs on loopback and always with a token")
    security = TransportSecuritySettings(allowed_hosts=LOOPBACK_HOSTS, allowed_origins=[])
    app = build_server(ctx).streamable_http_app(
        streamable_http_path=MCP_PATH, transport_security=security, host=HOST)
    config = uvicorn.Config(TokenGuard(app, access.token), host=HOST, port=port,
                            log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    async with reports_served(ctx.settings, ctx.client, with_worker):
        announce = asyncio.create_task(_announce(server, on_ready))
        try:
            await server.serve()
        finally:
            announce.cancel()


async def _announce(server: uvicorn.Server, on_ready: Callable[[int], None] | None) -> None:
    while not server.started and not server.should_exit:
        await asyncio.sleep(0.05)
    if on_ready and server.started and server.servers:
        on_ready(server.servers[0].sockets[0].getsockname()[1])
