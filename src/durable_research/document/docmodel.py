"""The document model of a report: pure, immutable data that every layout reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]


# ---- inline spans ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class Code:
    """Inline code span."""

    text: str


@dataclass(frozen=True)
class LineBreak:
    """Hard line break."""


@dataclass(frozen=True)
class Strong:
    """Bold span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    """Italic span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strike:
    """Strikethrough span (GFM ``~~x~~``)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """Hyperlink; ``href`` was validated by markdown-it or ``safe_url`` (no ``javascript:``)."""

    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Citation:
    """The number of a cited source, e.g. the ``2`` of ``[2, 3]``; links to its entry.

    Only numbers that have an entry in the document's :class:`ReferenceList` become
    citations, so every citation has a link target. The brackets and commas around it
    stay :class:`Text`.
    """

    n: int


UNVERIFIED_LABEL = "[unverified]"
DISPUTED_LABEL = "[disputed]"
# The markers the citation checker puts after a sentence's citations.
CHECK_LABELS = (UNVERIFIED_LABEL, DISPUTED_LABEL)


@dataclass(frozen=True)
class CheckMark:
    """A checker's marker after a sentence: ``[unverified]`` or ``[disputed]``."""

    label: str = UNVERIFIED_LABEL

    def __post_init__(self) -> None:
        """Only the checker's own markers (the layouts style each)."""
        if self.label not in CHECK_LABELS:
            raise ValueError(f"not a checker marker: {self.label!r}")


@dataclass(frozen=True)
class FootnoteRef:
    """A ``[^label]`` reference: footnote ``n`` (1-based), its ``sub``-th mention (0-based)."""

    n: int
    sub: int = 0


Inline = (
    Text | Code | LineBreak | Strong | Emphasis | Strike | Link | Citation | CheckMark
    | FootnoteRef
)


def merge_text(items: Iterable[Inline]) -> tuple[Inline, ...]:
    """Join adjacent :class:`Text` spans and drop empty ones (a canonical span list)."""
    merged: list[Inline] = []
    for it in items:
        if isinstance(it, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + it.text)
        elif not (isinstance(it, Text) and not it.text):
            merged.append(it)
    return tuple(merged)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """Concatenate the visible text of inline spans (used for outlines and titles)."""
    parts: list[str] = []
    for it in inlines:
        if isinstance(it, Text | Code):
            parts.append(it.text)
        elif isinstance(it, LineBreak):
            parts.append(" ")
        elif isinstance(it, Citation):
            parts.append(str(it.n))
        elif isinstance(it, CheckMark):
            parts.append(it.label)
        elif isinstance(it, FootnoteRef):
            parts.append(str(it.n))
        else:
            parts.append(plain_text(it.children))
    return "".join(parts)


def ref_anchor(n: int) -> str:
    """Name of the link target of reference ``n`` (HTML id, PDF named destination)."""
    return f"ref-{n}"


def footnote_anchor(n: int) -> str:
    """Name of the link target of footnote ``n``."""
    return f"fn-{n}"


def footnote_ref_anchor(n: int, sub: int = 0) -> str:
    """Name of the ``sub``-th place that mentions footnote ``n`` (for back links)."""
    return f"fnref-{n}" + (f"-{sub + 1}" if sub else "")


# ---- blocks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """Heading of level 1..6; ``anchor`` is its link target (a GitHub-style slug) or empty."""

    level: int
    inlines: tuple[Inline, ...]
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """Paragraph of inline content."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    """Ordered or bullet list; each item is a list of blocks (so lists can nest)."""

    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class BlockQuote:
    """Block quote containing blocks."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class CodeBlock:
    """Fenced or indented code; ``text`` keeps its line breaks."""

    language: str
    text: str


@dataclass(frozen=True)
class Table:
    """GFM table; ``rows`` may be ragged in theory, layouts pad them."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[Align, ...]
    # Rows left out when the Markdown was parsed (layout/limits.py); the note says so.
    omitted: int = 0


@dataclass(frozen=True)
class Rule:
    """Horizontal rule (thematic break)."""


@dataclass(frozen=True)
class ReferenceEntry:
    """One numbered source; ``anchor`` is its link target, empty for a duplicate number."""

    n: int
    inlines: tuple[Inline, ...]
    anchor: str = ""


@dataclass(frozen=True)
class ReferenceList:
    """The numbered sources of a research report, in their fixed numbering."""

    entries: tuple[ReferenceEntry, ...]


@dataclass(frozen=True)
class Footnote:
    """One footnote body; ``n`` is its number, ``refs`` how often the text mentions it."""

    n: int
    blocks: tuple[Block, ...]
    refs: int = 1


@dataclass(frozen=True)
class Footnotes:
    """The footnotes of the body, shown as endnotes after it, in their numbering."""

    notes: tuple[Footnote, ...]


Block = (
    Heading | Paragraph | ListBlock | BlockQuote | CodeBlock | Table | Rule | ReferenceList
    | Footnotes
)


@dataclass(frozen=True)
class TitleBlock:
    """The report's title block."""

    title: str
    question: str
    date: str
    model: str


@dataclass(frozen=True)
class Document:
    """A whole report: title block, then blocks (body and About section)."""

    title: TitleBlock
    blocks: tuple[Block, ...] = field(default_factory=tuple)
