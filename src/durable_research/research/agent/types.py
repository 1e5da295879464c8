"""What the agent's steps take and return: one model turn, one tool call.

Every field has a default (histories decode after fields are added). Texts stay in the
artifact store: a turn's answer and a tool's result are keys here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_research.contract.llm import Usage
from durable_research.research.types import Source


@dataclass
class ToolCall:
    """One call the model asked for: its id, the tool's name, its JSON arguments."""

    id: str = ""
    name: str = ""
    arguments: str = "{}"


@dataclass
class AgentTurnInput:
    """Input of ``agent_turn``: the transcript is rebuilt from the store (``prefix``)."""

    question: str = ""
    subquestion: str = ""
    model: str = ""
    # The sub-question's folder in the run (``agent/q1``), and this turn's number (0, 1 ...).
    prefix: str = ""
    turn: int = 0
    tools: list[str] = field(default_factory=list)
    steps_left: int = 0
    # The report's language (a BCP-47 tag; "": no instruction to the model).
    language: str = ""


@dataclass
class AgentTurnOutput:
    """What the model answered: tool calls, or text (no call: it stopped talking)."""

    calls: list[ToolCall] = field(default_factory=list)
    text: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    # The worker's MCP tools offered with this turn (``mcp_<server>_<tool>``): the model
    # may call them besides the input's ``tools``.
    mcp_tools: list[str] = field(default_factory=list)


@dataclass
class ToolContext:
    """What a sub-question's tools may search, as the report asked."""

    question: str = ""
    subquestion: str = ""
    collection: str = ""
    web: bool = True
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    prefer_domains: list[str] = field(default_factory=list)
    prefer_paths: list[str] = field(default_factory=list)
    search_results: int = 8
    # Whether DuckDuckGo answered the client (a DdgsReach), as the fixed pipeline's search.
    ddgs_reach: str = ""


@dataclass
class ToolCallInput:
    """Input of ``agent_tool``: one call, where its result goes, what it may use."""

    call: ToolCall = field(default_factory=ToolCall)
    key: str = ""
    # Set: the call is not run, the model is told this (an unknown tool, a repeat, a bound).
    refuse: str = ""
    context: ToolContext = field(default_factory=ToolContext)
    # The sub-question's sources so far; [n] is ``sources[n - 1]``: the table the last
    # call stored (its ``table_key``), or, before any call stored one, these records.
    # By key, the history grows by each call's new sources only, not by the whole table
    # on every call (which grows with the square of the calls: small at the eval's ~7
    # calls per sub-question, 31.7 vs 31.9 KiB, but a 100-turn run would resend it 100s
    # of times).
    sources: list[Source] = field(default_factory=list)
    sources_key: str = ""
    pages_left: int = -1


@dataclass
class ToolCallOutput:
    """What a tool call did: one progress line, new or updated sources, a note."""

    key: str = ""
    line: str = ""
    ok: bool = True
    # Sources to add to the table (search hits, a followed page) ...
    added: list[Source] = field(default_factory=list)
    # ... and one to replace (a page read for the first time): its number [n], 0 for none.
    replaced: int = 0
    source: Source | None = None
    notes_key: str = ""
    cited_hash: str = ""
    pages_fetched: int = 0
    failed: str = ""
    # Where the source table after this call is stored (the next call's ``sources_key``).
    table_key: str = ""


def next_table(table: list[Source], out: ToolCallOutput) -> list[Source]:
    """The source table after a call: its first-read source in place, then its new ones
    (the workflow keeps it, the activity stores it: one rule for both)."""
    after = list(table)
    if out.replaced and out.source is not None:
        after[out.replaced - 1] = out.source
    return after + out.added


def changes_table(out: ToolCallOutput) -> bool:
    """Whether the table after the call differs from the one before (:func:`next_table`)."""
    return bool(out.added) or bool(out.replaced and out.source is not None)
