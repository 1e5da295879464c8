"""The document model of a report: pure, immutable data that every layout reads."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Unverified:
    """The ``[unverified]`` marker the citation checker puts after a sentence."""


Inline = Text | Code | LineBreak | Strong | Emphasis | Strike | Link | Citation | Unverified

UNVERIFIED_LABEL = "[unverified]"


def ref_anchor(n: int) -> str:
    """Name of the link target of reference ``n`` (HTML id, PDF named destination)."""
    return f"ref-{n}"


# ---- blocks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """Heading of level 1..6."""

    level: int
    inlines: tuple[Inline, ...]


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


Block = (
    Heading | Paragraph | ListBlock | BlockQuote | CodeBlock | Table | Rule | ReferenceList
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
