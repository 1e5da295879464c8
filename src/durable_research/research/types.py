"""Data that research activities and workflows exchange; small enough for history.

Page texts, notes and drafts never appear here: they live in the artifact store and
are referred to by key (``texts/<sha256>``) and content hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.shared import Reference, SourceKind, UnsupportedCitation, Usage


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
MIN_SUBQUESTIONS = 3
MAX_SUBQUESTIONS = 8


class SubState(StrEnum):
    """State of one sub-question's research."""

    PENDING = "pending"
    SEARCHING = "searching"
    FETCHING = "fetching"
    NOTING = "taking notes"
    DONE = "done"
    FAILED = "failed"
    BUDGET = "stopped by budget"


@dataclass
class SearchHit:
    """One search result. Local documents carry their text's hash (nothing to fetch)."""

    url: str = ""
    title: str = ""
    snippet: str = ""
    kind: str = SourceKind.WEB
    # For local documents: the extracted text's sha256 (``texts/<hash>`` in the store).
    content_hash: str = ""


@dataclass
class SearchInput:
    """Input of the ``search`` activity."""

    query: str = ""
    max_results: int = 8
    # Store key of a local-documents collection manifest ("" = none).
    collection: str = ""
    web: bool = True
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)


@dataclass
class SearchOutput:
    """Output of the ``search`` activity."""

    hits: list[SearchHit] = field(default_factory=list)
    provider: str = ""
    # Providers that failed, with the reason (the others' hits are still returned).
    errors: list[str] = field(default_factory=list)


@dataclass
class FetchInput:
    """Input of the ``fetch_page`` activity (the URL comes from a search result)."""

    url: str = ""
    title: str = ""


@dataclass
class Source:
    """A fetched (or local) source whose text is in the store under ``texts/<hash>``."""

    url: str = ""
    title: str = ""
    kind: str = SourceKind.WEB
    content_hash: str = ""
    chars: int = 0
    accessed: str = ""
    ok: bool = True
    error: str = ""


@dataclass
class SourcesInput:
    """Input of the ``research_sources`` activity: what can this worker search?"""

    collection: str = ""


@dataclass
class SourcesAvailable:
    """Which sources a worker can use; both empty means single-call mode."""

    web_provider: str = ""
    local_documents: int = 0
    note: str = ""


@dataclass
class NotesInput:
    """Input of ``take_notes``: read these sources, note what answers the sub-question."""

    question: str = ""
    subquestion: str = ""
    sources: list[Source] = field(default_factory=list)
    model: str = ""
    # Store key the notes are written to (chosen by the workflow: idempotent retries).
    key: str = ""


@dataclass
class LlmStored:
    """Result of an LLM activity whose text went to the store."""

    key: str = ""
    content_hash: str = ""
    chars: int = 0
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    # A short human-readable summary for progress (e.g. "7 notes, 2 dropped").
    summary: str = ""
    # Small structured extras (e.g. a follow-up search query).
    extra: str = ""


@dataclass
class SectionInput:
    """Input of ``write_section``: one section of the report from notes."""

    question: str = ""
    heading: str = ""
    subquestion: str = ""
    notes_keys: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    model: str = ""
    key: str = ""
    # "section" or "summary" (the introduction + conclusion over written sections).
    role: str = "section"
    section_keys: list[str] = field(default_factory=list)


@dataclass
class CheckInput:
    """Input of ``check_citations``: check sections, write the checked draft."""

    question: str = ""
    section_keys: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    model: str = ""
    # The LLM judge decides borderline scores; off when the budget is spent.
    use_judge: bool = True
    key: str = ""


@dataclass
class CheckResult:
    """What the citation check found; the checked Markdown is in the store at ``key``."""

    key: str = ""
    checked: int = 0
    supported: int = 0
    judged: int = 0
    unsupported: list[UnsupportedCitation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model: str = ""


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
