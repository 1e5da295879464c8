"""``MCP_SERVERS``: the MCP servers whose tools the worker's research agent may call.

A JSON list; each server is a stdio command (an argv list, started by the worker) or a
streamable-HTTP URL, with the allow-list of its tools the agent is offered::

    [{"name": "wiki", "command": ["uvx", "wiki-mcp"], "env": ["WIKI_TOKEN"],
      "allow": ["search", "page"]},
     {"name": "docs", "url": "https://mcp.example.org/mcp",
      "headers": {"Authorization": "DOCS_MCP_AUTH"}, "allow": ["lookup"], "timeout": 30}]

Only the worker's settings name servers (never a report request: a user-chosen command
would be remote code execution). ``env`` and ``headers`` name environment variables of
the worker whose values are passed; the worker's own settings (its LLM key, payload key,
SMTP password ...) may not be named. A module below config (the foundation) so that
config checks the value when it loads it, as it does the payload key's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from durable_research.errors import ConfigError

VAR = "MCP_SERVERS"
# The agent sees a server's tool as ``mcp_<server>_<tool>``: a server name has no
# underscore, so two servers' tools never get the same name.
TOOL_PREFIX = "mcp_"
_SERVER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")
_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]+")
# OpenAI's limit on a function name.
MAX_TOOL_NAME = 64
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")
_KEYS = {"name", "command", "env", "url", "headers", "allow", "timeout"}
# Seconds one tool call may take: with listing the tools (20 s) and starting the server
# (20 s) it stays under the agent_tool activity's own limit of 3 minutes.
DEFAULT_TIMEOUT_S = 60.0
MAX_TIMEOUT_S = 120.0
EXAMPLE = ('e.g. MCP_SERVERS=\'[{"name": "wiki", "command": ["uvx", "wiki-mcp"], '
           '"allow": ["search"]}]\'')


@dataclass(frozen=True)
class McpServer:
    """One server: how to reach it and which of its tools the agent may call."""

    name: str
    allow: tuple[str, ...]
    command: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    url: str = ""
    # (header, environment variable holding its value)
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = DEFAULT_TIMEOUT_S

    def tool_name(self, tool: str) -> str:
        """The name the agent calls this server's ``tool`` by."""
        return f"{TOOL_PREFIX}{self.name}_{tool}"


def _fail(message: str, hint: str = EXAMPLE) -> ConfigError:
    return ConfigError(f"{VAR}: {message}", hint)


def _strings(value: Any, where: str, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{where} must be a list of non-empty strings")
    for v in value:
        if pattern is not None and not pattern.fullmatch(v):
            raise _fail(f"{where}: {v[:40]!r} is not a valid name")
    return tuple(value)


def _env_names(value: Any, where: str, reserved: Callable[[str], bool]) -> tuple[str, ...]:
    names = _strings(value, where, _ENV_NAME)
    for name in names:
        if reserved(name):
            raise _fail(f"{where} names {name}, a setting of the worker itself; its secrets "
                        "are never passed to an MCP server",
                        "give the server its own variable (e.g. WIKI_TOKEN)")
    return names


def _server(item: Any, n: int, reserved: Callable[[str], bool]) -> McpServer:
    if not isinstance(item, dict):
        raise _fail(f"server {n} is not a JSON object")
    name = item.get("name")
    if not isinstance(name, str) or not _SERVER_NAME.fullmatch(name):
        raise _fail(f"server {n} needs a \"name\" of lowercase letters, digits and '-' "
                    f"(at most 20), got {name!r}")
    where = f"server {name!r}"
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise _fail(f"{where} has unknown key(s) {', '.join(unknown)}",
                    f"known keys: {', '.join(sorted(_KEYS))}")
    if ("command" in item) == ("url" in item):
        raise _fail(f"{where} needs either \"command\" (a stdio server) or \"url\" "
                    "(streamable HTTP), not both or neither")
    if "allow" not in item:
        raise _fail(f"{where} has no \"allow\" list: name the tools the agent may call")
    allow = _strings(item["allow"], f"{where} \"allow\"", _TOOL_NAME)
    if not allow:
        raise _fail(f"{where} \"allow\" is empty: name the tools the agent may call")
    for tool in allow:
        if len(f"{TOOL_PREFIX}{name}_{tool}") > MAX_TOOL_NAME:
            raise _fail(f"{where}: the tool name {TOOL_PREFIX}{name}_{tool} is over "
                        f"{MAX_TOOL_NAME} characters", "use a shorter server name")
    timeout = item.get("timeout", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not 0 < timeout <= MAX_TIMEOUT_S:
        raise _fail(f"{where} \"timeout\" must be seconds over 0, at most {MAX_TIMEOUT_S:.0f}")
    if "command" in item:
        command = _strings(item["command"], f"{where} \"command\"")
        if not command:
            raise _fail(f"{where} \"command\" is empty")
        if "headers" in item:
            raise _fail(f"{where}: \"headers\" are for URL servers")
        env = _env_names(item.get("env", []), f"{where} \"env\"", reserved)
        return McpServer(name, allow, command=command, env=env, timeout_s=float(timeout))
    url = item["url"]
    if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s/]+\S*", url):
        raise _fail(f"{where} \"url\" must be an http(s) URL")
    if "env" in item:
        raise _fail(f"{where}: \"env\" is for command servers (use \"headers\")")
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not all(
            isinstance(h, str) and _HEADER_NAME.fullmatch(h) for h in headers):
        raise _fail(f"{where} \"headers\" must map header names to environment variable "
                    "names", 'e.g. "headers": {"Authorization": "DOCS_MCP_AUTH"}')
    names = _env_names(list(headers.values()), f"{where} \"headers\"", reserved)
    return McpServer(name, allow, url=url, headers=tuple(zip(headers, names, strict=True)),
                     timeout_s=float(timeout))


@cache
def parse_mcp_servers(text: str, reserved: Callable[[str], bool]) -> tuple[McpServer, ...]:
    """The servers of an ``MCP_SERVERS`` value ("" for none).

    Args:
        reserved: Whether an environment variable is one of the worker's own settings,
            which may not be passed to a server.

    Raises:
        ConfigError: Not JSON, not a list of servers, an unknown key, a server with no
            allow-list, neither or both of command and url, a name used twice.
    """
    if not text.strip():
        return ()
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise _fail(f"is not JSON ({exc})") from None
    if not isinstance(items, list):
        raise _fail("must be a JSON list of servers")
    servers = tuple(_server(item, n, reserved) for n, item in enumerate(items, start=1))
    names = [s.name for s in servers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _fail(f"server name(s) used twice: {', '.join(twice)}")
    return servers
