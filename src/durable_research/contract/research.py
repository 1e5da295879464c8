"""Research runs: depth presets, the budget, and the progress a report's status shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.contract.llm import Usage

MIN_SUBQUESTIONS = 3
MAX_SUBQUESTIONS = 8


class Depth(StrEnum):
    """How broad a research run is."""

    QUICK = "quick"
    STANDARD = "standard"
    DEEP = "deep"


@dataclass(frozen=True)
class DepthPreset:
    """Breadth of one depth level."""

    max_subquestions: int
    pages_per_subquestion: int
    rounds: int
    search_results: int
    concurrency: int


DEPTH_PRESETS: dict[Depth, DepthPreset] = {
    Depth.QUICK: DepthPreset(0, 0, 0, 0, 1),
    Depth.STANDARD: DepthPreset(4, 3, 1, 8, 3),
    Depth.DEEP: DepthPreset(8, 6, 2, 10, 4),
}


class DdgsReach(StrEnum):
    """Whether DuckDuckGo answered the client that prepared a report. A worker on
    ``SEARCH_PROVIDER=auto`` with no SearXNG, Tavily or Brave searches with DuckDuckGo
    only when it did (research/websearch.py): the probe is made once, by the client."""

    UNCHECKED = ""
    ANSWERS = "answers"
    UNREACHABLE = "unreachable"
    OFF = "off"  # SEARCH_DDGS_PROBE=off: auto never takes DuckDuckGo


class AgentMode(StrEnum):
    """``--agent``/``--no-agent``: who chooses a sub-question's next step."""

    # The agent for standard and deep when the worker's model calls tools.
    AUTO = "auto"
    # The agent wherever the model calls tools (else the fixed pipeline, saying why).
    ON = "on"
    # The fixed pipeline: search, fetch, notes.
    OFF = "off"


# The agent's model turns per sub-question unless --max-steps says otherwise.
AGENT_STEPS: dict[Depth, int] = {Depth.QUICK: 0, Depth.STANDARD: 12, Depth.DEEP: 24}
# --max-steps at most: keeps a sub-question's history bounded (a few thousand events).
MAX_AGENT_STEPS = 100


class SubState(StrEnum):
    """State of one sub-question's research."""

    PENDING = "pending"
    SEARCHING = "searching"
    FETCHING = "fetching"
    NOTING = "taking notes"
    DONE = "done"
    FAILED = "failed"
    BUDGET = "stopped by budget"
    # The agent: waiting for the model's next step, or running a tool.
    THINKING = "thinking"
    ACTING = "using a tool"


@dataclass
class Budget:
    """Caps on spending; 0 means no cap."""

    max_usd: float = 0.0
    max_tokens: int = 0
    max_pages: int = 0


@dataclass
class SubProgress:
    """Live state of one sub-question (shown by ``status``)."""

    index: int = 0
    subquestion: str = ""
    state: str = SubState.PENDING
    searched: int = 0
    fetched: int = 0
    failed: int = 0
    notes: int = 0
    usage: Usage = field(default_factory=Usage)
    error: str = ""
    # Numbers the child's snapshots: signals not awaited may arrive out of order, and an
    # older one must not undo a newer one (0: sent by a child that did not number them).
    seq: int = 0
    # The agent's last step ("search 'x' -> 8 results"), and how many it made.
    step: str = ""
    steps: int = 0
    # The steps this snapshot reports when it is more than one (calls of a turn run at
    # once: their lines in the model's order, ``step`` the last); empty: ``step`` alone.
    # One snapshot for them all, as snapshots sent together may arrive in any order and
    # an overtaken one is dropped (``seq``).
    lines: list[str] = field(default_factory=list)


@dataclass
class ResearchProgress:
    """The research part of the ``status`` query."""

    depth: str = ""
    sources: str = ""
    plan: list[str] = field(default_factory=list)
    subs: list[SubProgress] = field(default_factory=list)
    pages_fetched: int = 0
    pages_failed: int = 0
    sources_kept: int = 0
    budget: Budget = field(default_factory=Budget)
    budget_note: str = ""
    # Store keys of the sections written so far, in plan order (the draft grows while
    # later sub-questions run; clients read the texts from the store).
    sections: list[str] = field(default_factory=list)
