"""The worker's MCP client: the allowed tools of ``MCP_SERVERS`` and calls to them.

Each server's tools are listed once per worker process (:class:`McpCatalog`, within
:data:`DISCOVERY_S`); only those on its allow-list are kept, under the agent's name
``mcp_<server>_<tool>`` with the server's JSON schema. A call opens its own connection
(a stdio server is started for the call and stopped after it): nothing lives between
activities, so a call retried on another worker, or after a crash, starts clean.

A stdio server gets a minimal environment: the MCP SDK's safe defaults (HOME, LOGNAME,
PATH, SHELL, TERM, USER), LANG, and the variables its ``env`` names. The worker's own
secrets are never among them (``config.is_worker_var`` refuses naming them).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import anyio

from durable_research.mcp_servers import McpServer

if TYPE_CHECKING:
    from mcp import Client

# The MCP SDK is imported when a server is configured and first used, never at import:
# it is 1.2-1.6 s of a worker's start (its pydantic models), which every worker paid
# before polling though most configure no MCP server.

log = logging.getLogger(__name__)

# Seconds to start a server and list its tools.
DISCOVERY_S = 20.0
# Seconds before a server that could not be listed is tried again.
RETRY_DISCOVERY_S = 60.0
# Characters of one result kept (the model reads it part by part).
MAX_RESULT_CHARS = 200_000
# Characters of a stdio server's stderr quoted when it fails.
STDERR_CHARS = 500
# Variables passed besides the SDK's defaults and the server's own.
PASSED_ENV = ("LANG",)


@dataclass(frozen=True)
class McpTool:
    """One allowed tool: the agent's name for it, its server, its schema."""

    name: str
    server: McpServer
    tool: str
    description: str = ""
    schema: dict[str, Any] = field(default_factory=dict)

    def openai(self) -> dict[str, Any]:
        """The ``tools=`` entry of a chat completion."""
        about = f"(MCP server {self.server.name}) {self.description}".strip()
        schema = self.schema or {"type": "object", "properties": {}}
        return {"type": "function", "function": {
            "name": self.name, "description": about[:1000], "parameters": schema}}


class McpUnavailableError(Exception):
    """A server could not be started, reached or answered in time (worth retrying)."""


def server_env(server: McpServer) -> dict[str, str]:
    """What a stdio server gets over the SDK's defaults: LANG and its named variables."""
    names = (*PASSED_ENV, *server.env)
    return {name: os.environ[name] for name in names if name in os.environ}


def _headers(server: McpServer) -> dict[str, str]:
    missing = [var for _h, var in server.headers if var not in os.environ]
    if missing:
        raise McpUnavailableError(f"MCP server {server.name}: the worker's environment has "
                                  f"no {', '.join(missing)} for its headers")
    return {header: os.environ[var] for header, var in server.headers}


@asynccontextmanager
async def connect(server: McpServer, timeout_s: float) -> AsyncIterator[Client]:
    """A session with ``server``, its errors as :class:`McpUnavailableError` (with the
    stdio server's last words) except a server's own refusal (:class:`MCPError`)."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    from mcp.shared.exceptions import MCPError

    errlog: TextIO | None = None
    try:
        if server.command:
            errlog = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
            params = StdioServerParameters(command=server.command[0],
                                           args=list(server.command[1:]),
                                           env=server_env(server))
            async with Client(stdio_client(params, errlog=errlog),
                              read_timeout_seconds=timeout_s) as client:
                yield client
        else:
            async with create_mcp_http_client(headers=_headers(server)) as http, \
                    Client(streamable_http_client(server.url, http_client=http),
                           read_timeout_seconds=timeout_s) as client:
                yield client
    except (MCPError, McpUnavailableError):
        raise
    except Exception as exc:
        said = ""
        if errlog is not None:
            errlog.seek(0)
            said = errlog.read()[-STDERR_CHARS:].strip()
        raise McpUnavailableError(f"MCP server {server.name}: {_cause(exc)}"
                                  + (f" (it said: {said})" if said else "")) from exc
    finally:
        if errlog is not None:
            errlog.close()


def _cause(exc: BaseException) -> str:
    """The first message of a (grouped) exception."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return str(exc) or type(exc).__name__


async def list_allowed(server: McpServer) -> list[McpTool]:
    """The server's tools that its allow-list names (an allowed name it lacks is logged)."""
    found: dict[str, McpTool] = {}
    with anyio.fail_after(DISCOVERY_S):
        async with connect(server, DISCOVERY_S) as client:
            cursor: str | None = None
            while True:
                listed = await client.list_tools(cursor=cursor)
                for t in listed.tools:
                    if t.name in server.allow:
                        found[t.name] = McpTool(server.tool_name(t.name), server, t.name,
                                                t.description or "", dict(t.input_schema))
                cursor = listed.next_cursor
                if not cursor:
                    break
    for name in server.allow:
        if name not in found:
            log.warning("MCP server %s has no tool %r (on its allow-list)", server.name, name)
    return [found[name] for name in server.allow if name in found]


async def call_tool(tool: McpTool, arguments: dict[str, Any]) -> tuple[str, bool]:
    """Call ``tool``: its answer as text, and whether the server said it failed.

    Raises:
        McpUnavailableError: The server could not be reached or did not answer in its
            timeout (the activity's retries try again).
    """
    from mcp.shared.exceptions import MCPError
    from mcp.types import TextContent

    server = tool.server
    try:
        with anyio.fail_after(server.timeout_s + DISCOVERY_S):  # + start-up
            async with connect(server, server.timeout_s) as client:
                result = await client.call_tool(tool.tool, arguments,
                                                read_timeout_seconds=server.timeout_s)
    except MCPError as exc:  # the server refused the call: the model is told
        return f"The server refused the call: {exc}", True
    except TimeoutError as exc:
        raise McpUnavailableError(f"MCP server {server.name}: no answer within "
                                  f"{server.timeout_s:.0f} s") from exc
    parts = [c.text if isinstance(c, TextContent) else f"[{c.type} content left out]"
             for c in result.content]
    if not parts and result.structured_content is not None:
        parts = [json.dumps(result.structured_content, ensure_ascii=False, indent=1)]
    return "\n\n".join(parts)[:MAX_RESULT_CHARS], bool(result.is_error)


class McpCatalog:
    """The allowed tools of a worker's servers, listed once (a failed server again after
    :data:`RETRY_DISCOVERY_S`)."""

    def __init__(self, servers: tuple[McpServer, ...]) -> None:
        """No connection yet: :meth:`tools` lists on first use."""
        self.servers = servers
        self._listed: dict[str, list[McpTool]] = {}
        # Servers not listed: when to try again, and why.
        self._failed: dict[str, tuple[float, str]] = {}

    async def tools(self) -> list[McpTool]:
        """Every allowed tool of the servers that answer."""
        found: list[McpTool] = []
        if self.servers:
            from mcp.shared.exceptions import MCPError
        for server in self.servers:
            if server.name not in self._listed and \
                    time.monotonic() >= self._failed.get(server.name, (0.0, ""))[0]:
                try:
                    self._listed[server.name] = await list_allowed(server)
                    self._failed.pop(server.name, None)
                except (McpUnavailableError, MCPError, TimeoutError) as exc:
                    why = str(exc) or f"MCP server {server.name}: no answer within " \
                                       f"{DISCOVERY_S:.0f} s"
                    log.warning("MCP tools not listed (tried again in %.0f s): %s",
                                RETRY_DISCOVERY_S, why)
                    self._failed[server.name] = (time.monotonic() + RETRY_DISCOVERY_S, why)
            found += self._listed.get(server.name, [])
        return found

    async def find(self, name: str) -> McpTool | None:
        """The allowed tool the agent calls ``name`` (None: no allow-list names it, or its
        server does not have it).

        Raises:
            McpUnavailableError: Its server is allowed the tool but could not be listed.
        """
        found = next((t for t in await self.tools() if t.name == name), None)
        for server in self.servers if found is None else ():
            if server.name in self._failed and name in map(server.tool_name, server.allow):
                raise McpUnavailableError(self._failed[server.name][1])
        return found


_CATALOGS: dict[tuple[McpServer, ...], McpCatalog] = {}


def catalog(servers: tuple[McpServer, ...]) -> McpCatalog:
    """The worker process's catalog of these servers (one per configuration)."""
    if servers not in _CATALOGS:
        _CATALOGS[servers] = McpCatalog(servers)
    return _CATALOGS[servers]
