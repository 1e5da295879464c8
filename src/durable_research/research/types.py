"""Data that research activities and workflows exchange; small enough for history.

Page texts, notes and drafts never appear here: they live in the artifact store and
are referred to by key (``texts/<sha256>``) and content hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_research.contract.citations import (
    DisputedCitation,
    Reference,
    SourceKind,
    UnsupportedCitation,
)
from durable_research.contract.llm import Usage
from durable_research.contract.research import SubState


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
    # More queries fused with ``query`` for local documents (the sub-question, the report's
    # question, earlier follow-ups); web providers get ``query`` alone (each call costs).
    extra_queries: list[str] = field(default_factory=list)
    # Preferred sources rank first among relevant hits: web domains, collection paths.
    prefer_domains: list[str] = field(default_factory=list)
    prefer_paths: list[str] = field(default_factory=list)
    # Whether DuckDuckGo answered the client (a DdgsReach): auto takes it only then.
    ddgs_reach: str = ""


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
class FetchPagesInput:
    """Input of ``fetch_pages``: one search round's pages, fetched by one activity.

    One activity per round instead of one per page: six times fewer tasks and events
    for the server and the workflow (bench goal 6); each page's result is still kept
    in the store as soon as it is known, so a retry fetches only what was missing.
    """

    pages: list[FetchInput] = field(default_factory=list)


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
class FetchPagesOutput:
    """The ``fetch_pages`` result: one :class:`Source` per page, in input order."""

    sources: list[Source] = field(default_factory=list)


@dataclass
class FirstRound:
    """A sub-question's first search and its pages, gathered by the parent ahead of time
    while the sub-question waited for a research slot."""

    hits: list[SearchHit] = field(default_factory=list)
    # The web pages among the hits that were fetched (local documents need no fetching).
    sources: list[Source] = field(default_factory=list)


@dataclass
class SourcesInput:
    """Input of the ``research_sources`` activity: what can this worker search?"""

    collection: str = ""
    # Whether DuckDuckGo answered the client (a DdgsReach): auto takes it only then.
    ddgs_reach: str = ""
    # The report's model ("": the worker's): does it call tools (the research agent)?
    model: str = ""


@dataclass
class SourcesAvailable:
    """Which sources a worker can use; both empty means single-call mode."""

    web_provider: str = ""
    local_documents: int = 0
    note: str = ""
    # The model calls tools (LLM_TOOL_CALLING, else litellm's tables); if not, why.
    tool_calling: bool = False
    tool_calling_note: str = ""


@dataclass
class EarlierNotes:
    """A notes call of the report that comes before another in the report's fixed order
    (each sub-question's first round in plan order, then a sub-question's own later
    rounds): what it read. The later call works out what the earlier one was sent from
    this alone, whenever each of them runs, so a passage goes whole to the same call in
    every run (``research/sendonce.py``)."""

    subquestion: str = ""
    # The content hashes of the sources it read, in its order (``noted_hashes``).
    source_hashes: list[str] = field(default_factory=list)


def noted_hashes(sources: list[Source]) -> list[str]:
    """The content hashes of the sources a notes call reads (fetched and stored), in order."""
    return [s.content_hash for s in sources if s.ok and s.content_hash]


@dataclass
class NotesInput:
    """Input of ``take_notes``: read these sources, note what answers the sub-question."""

    question: str = ""
    subquestion: str = ""
    sources: list[Source] = field(default_factory=list)
    model: str = ""
    # Store key the notes are written to (chosen by the workflow: idempotent retries).
    key: str = ""
    # The report's language (a BCP-47 tag; "": no instruction to the model).
    language: str = ""
    # The calls before this one in the report's order: a passage one of them was sent is
    # not sent whole again (empty: none, or a workflow from before this field).
    earlier: list[EarlierNotes] = field(default_factory=list)


# How a notes summary says that words of the follow-up query were left out (research/
# queryguard.py); the report's notes repeat such a summary.
FOLLOW_UP_LEFT_OUT = "word(s) of the follow-up query found only in your documents were left out"
# How a summary activity's ``summary`` starts when it kept no summary; the reason follows.
SUMMARY_LEFT_OUT = "summary left out: "


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
    # Notes: the hashes of the sources the kept notes quote.
    source_hashes: list[str] = field(default_factory=list)
    # A section: its text is the notes' quotes, not the model's writing (no budget left,
    # or the model's text cited nothing). Results of older workers lack it (False).
    quoted_notes: bool = False


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
    # Where the notes' sources disagree (``compare_notes``; "" = not compared).
    conflicts_key: str = ""
    # The report's language (a BCP-47 tag; "": no instruction to the model).
    language: str = ""


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
    # The other gathered sources (read, but quoted by no note; ``n`` 0): every claim is
    # checked against them too. And the local collection, searched for each claim.
    evidence: list[Reference] = field(default_factory=list)
    collection: str = ""


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
    corroborated: int = 0
    disputed: list[DisputedCitation] = field(default_factory=list)
    # Sources that dispute a claim but were not in the References yet: numbered after them.
    added_references: list[Reference] = field(default_factory=list)
    # A line for the report's notes on how the check was done ("" when as usual).
    remark: str = ""


@dataclass
class CompareNotesInput:
    """Input of ``compare_notes``: find where the notes' sources disagree, before writing."""

    notes_keys: list[str] = field(default_factory=list)
    # Store key of the conflicts found (JSON; the section writers read it).
    key: str = ""
    # Only the conflicts a note of these (a section's own notes) is part of; empty: all.
    focus_keys: list[str] = field(default_factory=list)


@dataclass
class NotesConflicts:
    """Where notes of different sources contradict each other (the pairs are in the store).

    ``pairs``: the two sources of each conflict, so a section that cites one side can also
    cite the other (and a section citing neither gets none). ``hashes``: every source on
    either side; results of workers from before ``pairs`` carry only these.
    """

    key: str = ""
    count: int = 0
    hashes: list[str] = field(default_factory=list)
    pairs: list[list[str]] = field(default_factory=list)

    def other_sides(self, cited: set[str]) -> set[str]:
        """The sources a section citing ``cited`` may also cite: the other side of each
        conflict it is part of."""
        if not self.pairs:  # an older worker's result: every disputed source, as before
            return set(self.hashes)
        return {h for pair in self.pairs if cited.intersection(pair) for h in pair}


@dataclass
class Allowance:
    """What one sub-question may still spend; -1 means no cap."""

    pages: int = -1
    usd: float = -1.0
    tokens: int = -1


@dataclass
class SubResearchInput:
    """Input of ``ResearchQuestionWorkflow`` (one sub-question)."""

    question: str = ""
    subquestion: str = ""
    index: int = 0
    parent_id: str = ""
    model: str = ""
    collection: str = ""
    web: bool = True
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    prefer_domains: list[str] = field(default_factory=list)
    prefer_paths: list[str] = field(default_factory=list)
    pages: int = 3
    rounds: int = 1
    search_results: int = 8
    # The research agent's model turns (ResearchAgentWorkflow; 0 for the fixed pipeline).
    max_steps: int = 0
    allowance: Allowance = field(default_factory=Allowance)
    # Round 1 already searched and fetched by the parent (None: the child does it).
    first_round: FirstRound | None = None
    # The first rounds of the sub-questions before this one (NotesInput.earlier).
    earlier: list[EarlierNotes] = field(default_factory=list)
    # Whether DuckDuckGo answered the client (a DdgsReach): auto takes it only then.
    ddgs_reach: str = ""
    # The report's language (a BCP-47 tag; "": no instruction to the model).
    language: str = ""


@dataclass
class SubResearchResult:
    """What one sub-question's research produced: sources, note keys, spending."""

    index: int = 0
    state: str = SubState.DONE
    sources: list[Source] = field(default_factory=list)
    notes_keys: list[str] = field(default_factory=list)
    # Hashes of the sources that notes quote (the only ones worth citing).
    cited_hashes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    searched: int = 0
    pages_fetched: int = 0
    usage: Usage = field(default_factory=Usage)
    error: str = ""
    # Things the reader should know (e.g. notes quoted because the model's were unusable).
    remarks: list[str] = field(default_factory=list)
