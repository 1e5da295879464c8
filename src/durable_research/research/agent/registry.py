"""The agent's tools by name: what the model is offered (name, description, JSON schema).

Pure data, imported by the workflow (to refuse a name the model made up) and by the
activities (to offer the tools and dispatch a call to its handler,
``activities/tools.py``). A new built-in tool is one :func:`register` call with its
:class:`ToolSpec` plus a handler registered under the same name. The tools of the
worker's MCP servers (``mcp_<server>_<tool>``) are listed by the worker
(``research/mcp_client.py``): the workflow learns their names from each turn's answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from durable_research.mcp_servers import TOOL_PREFIX


class AtOnce(StrEnum):
    """Whether a turn's calls of a tool may run at once, each from the source table they
    all start from, with the outcome of running them one after another."""

    # One after another: it may add sources, numbered [n] in the calls' order.
    NEVER = "never"
    # It leaves the table as it was and takes no page from the budget (note).
    KEEPS_TABLE = "keeps_table"
    # It changes only the source [n] it names, taking at most one page (read): calls
    # naming different sources may run at once.
    OWN_SOURCE = "own_source"


class ToolName(StrEnum):
    """The built-in tools."""

    SEARCH_WEB = "search_web"
    SEARCH_DOCUMENTS = "search_documents"
    READ = "read"
    FOLLOW = "follow"
    NOTE = "note"
    DONE = "done"


@dataclass(frozen=True)
class ToolSpec:
    """One tool as the model sees it (OpenAI ``function`` tool)."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    # The argument whose repetition makes no progress (the same query, the same page).
    repeat_key: tuple[str, ...] = ()
    # How a turn's calls of it may run at once (``workflows/agent.py``).
    at_once: AtOnce = AtOnce.NEVER

    def openai(self) -> dict[str, Any]:
        """The ``tools=`` entry of a chat completion."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


def _params(**props: tuple[str, str]) -> dict[str, Any]:
    """A JSON schema object of required properties ``name=(type, description)``."""
    return {"type": "object", "additionalProperties": False, "required": list(props),
            "properties": {k: {"type": t, "description": d} for k, (t, d) in props.items()}}


_QUERY = ("string", "what to search for: a few keywords")
_SOURCE = ("integer", "the source's number [n] from a search result")

REGISTRY: dict[str, ToolSpec] = {}


def register(spec: ToolSpec) -> None:
    """Add a tool the agent may be offered (a name is registered once)."""
    if spec.name in REGISTRY:
        raise ValueError(f"tool {spec.name!r} is registered already")
    REGISTRY[spec.name] = spec


for _spec in (
    ToolSpec(ToolName.SEARCH_WEB, "Search the web. Returns numbered results [n].",
             _params(query=_QUERY), ("query",)),
    ToolSpec(ToolName.SEARCH_DOCUMENTS,
             "Search the user's own documents. Returns numbered results [n].",
             _params(query=_QUERY), ("query",)),
    ToolSpec(ToolName.READ, "Read part of a source found by a search (parts are numbered "
             "from 1; the answer says how many there are).",
             _params(source=_SOURCE, part=("integer", "which part, from 1")),
             ("source", "part"), AtOnce.OWN_SOURCE),
    ToolSpec(ToolName.FOLLOW, "Open a link that appeared in a page you read. Returns the "
             "page's first part and its number [n].",
             _params(url=("string", "the link, exactly as it appeared")), ("url",)),
    ToolSpec(ToolName.NOTE, "Note a fact for the report: the quote must be copied word for "
             "word from the source you read; the claim says what it shows.",
             _params(source=_SOURCE, quote=("string", "words copied from the source"),
                     claim=("string", "the fact the quote supports")), ("source", "quote"),
             AtOnce.KEEPS_TABLE),
    ToolSpec(ToolName.DONE, "Stop: the sub-question is answered by your notes (or cannot "
             "be). Summarise what you found.",
             _params(summary=("string", "one or two sentences")), ()),
):
    register(_spec)


def offered(web: bool, documents: bool) -> list[str]:
    """The built-in tools a sub-question is offered: search where there is something to
    search, the rest always."""
    names = [ToolName.SEARCH_WEB] if web else []
    names += [ToolName.SEARCH_DOCUMENTS] if documents else []
    names += [ToolName.READ, ToolName.FOLLOW, ToolName.NOTE, ToolName.DONE]
    return [str(n) for n in names]


def at_once(name: str) -> AtOnce:
    """How calls of ``name`` may run at once (an MCP tool's answer is a new source)."""
    spec = REGISTRY.get(name)
    return AtOnce.NEVER if spec is None else spec.at_once


def arguments_of(arguments: str) -> dict[str, Any] | None:
    """A call's JSON arguments as an object (None: not JSON, or not an object)."""
    try:
        args = json.loads(arguments or "{}")
    except ValueError:
        return None
    return args if isinstance(args, dict) else None


def source_number(args: dict[str, Any], count: int) -> int:
    """The source [n] a call's arguments name in a table of ``count`` (0: none of it)."""
    try:
        n = int(args.get("source", 0))
    except (TypeError, ValueError):
        return 0
    return n if 1 <= n <= count else 0


def repeat_of(name: str, arguments: str) -> str:
    """What makes a call of ``name`` with these JSON ``arguments`` the same as an earlier
    one ("" for tools that may repeat, and for arguments that are no JSON object):
    normalised, so "Tardigrade  Survival" repeats "tardigrade survival"."""
    spec = REGISTRY.get(name)
    try:
        args = json.loads(arguments or "{}")
    except ValueError:
        return ""
    if name.startswith(TOOL_PREFIX) and isinstance(args, dict):
        # An MCP tool called again with the same arguments.
        return f"{name}:" + json.dumps(args, sort_keys=True)
    if spec is None or not spec.repeat_key or not isinstance(args, dict):
        return ""
    parts = [" ".join(str(args.get(k, "")).lower().split()) for k in spec.repeat_key]
    return f"{name}:" + "|".join(parts)
