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
    """Hyperlink; ``href`` was validated by markdown-it (no ``javascript:``)."""

    href: str
    children: tuple[Inline, ...]


Inline = Text | Code | LineBreak | Strong | Emphasis | Strike | Link


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


Block = Heading | Paragraph | ListBlock | BlockQuote | CodeBlock | Table | Rule


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
