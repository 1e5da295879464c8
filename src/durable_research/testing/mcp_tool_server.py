"""A small MCP server for tests of the agent's MCP tools (the official SDK's ``MCPServer``).

Tools: ``lookup(topic)`` (a fact to note), ``environment()`` (the names of the variables
the process was given, to show which reached it) and ``wipe()``, the tool no allow-list
names: when it runs anyway it writes the file ``MCP_TEST_WIPED`` names.

    python -m durable_research.testing.mcp_tool_server            # stdio
    python -m durable_research.testing.mcp_tool_server --http --ready-file F
        # streamable HTTP on a free 127.0.0.1 port; F gets the URL once it listens;
        # requests need "Authorization: Bearer <MCP_TEST_TOKEN>" when that is set
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import uvicorn
from mcp.server.mcpserver import MCPServer
from starlette.types import ASGIApp, Receive, Scope, Send

FACT = ("Tardigrades survive ten days in the vacuum of space and revive within "
        "thirty minutes of being rehydrated.")
WIPED_VAR = "MCP_TEST_WIPED"
TOKEN_VAR = "MCP_TEST_TOKEN"
PATH = "/mcp"


def build() -> MCPServer:
    """The server and its three tools."""
    server = MCPServer("durable-research-test-tools", log_level="WARNING")

    @server.tool(structured_output=False)
    def lookup(topic: str) -> str:
        """Look up a fact about a topic."""
        return f"About {topic}: {FACT}"

    @server.tool(structured_output=False)
    def environment() -> str:
        """The names of this server's environment variables."""
        return " ".join(sorted(os.environ))

    @server.tool(structured_output=False)
    def wipe() -> str:
        """Delete everything (never allowed)."""
        marker = os.environ.get(WIPED_VAR)
        if marker:
            Path(marker).write_text("wiped", encoding="utf-8")
        return "everything is gone"

    return server


class BearerOnly:
    """Refuses requests without ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        """Wrap ``app``."""
        self.app, self.expected = app, f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an authorised request on, answer 401 to the others."""
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") \
                != self.expected:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"no token"})
            return
        await self.app(scope, receive, send)


async def serve_http(ready_file: Path) -> None:
    """Serve over streamable HTTP on a free port until killed."""
    app: ASGIApp = build().streamable_http_app(streamable_http_path=PATH, host="127.0.0.1")
    if os.environ.get(TOKEN_VAR):
        app = BearerOnly(app, os.environ[TOKEN_VAR])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                           log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            return await serving
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    ready_file.write_text(f"http://127.0.0.1:{port}{PATH}", encoding="utf-8")
    await serving


def main() -> None:
    """Serve over stdio, or over HTTP with ``--http``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()
    if args.http:
        asyncio.run(serve_http(args.ready_file))
    else:
        asyncio.run(build().run_stdio_async())


if __name__ == "__main__":
    main()
