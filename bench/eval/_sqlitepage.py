"""Read one page of the SQLite documentation into blocks, and write them as Markdown or text.

The SQLite pages share one layout: a menu (``div.nosearch``), an optional "fancy" title and
table of contents (another ``div.nosearch``), then the content, with syntax diagrams as inline
SVG behind "hide/show" buttons. The content is walked into a flat list of blocks (headings,
paragraphs, code, lists, tables) that the Markdown, text and PDF writers share, so the three
conversions of a page say the same words.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Literal

from lxml import html as lxml_html
from lxml.html import HtmlElement

BlockKind = Literal["heading", "para", "code", "list", "table"]


@dataclass(frozen=True)
class Block:
    """One block of a page: ``text`` for headings, paragraphs and code; ``items`` or ``rows``."""

    kind: BlockKind
    text: str = ""
    level: int = 0
    ordered: bool = False
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Page:
    """A documentation page: its title and its blocks in reading order."""

    title: str
    blocks: list[Block] = field(default_factory=list)


# Syntax diagrams are pictures of the grammar; as text they are a soup of keywords, and they
# make up most of the bytes of the lang_*.html pages (lang_select.html: 1.5 MB, 75 kB without).
SVG = re.compile(rb"<svg\b.*?</svg>", re.S | re.I)

_INLINE = frozenset(
    "a abbr b big cite code em font i kbd label nobr"
    " s small span strike strong sub sup tt u var".split()
)
_BLOCKY = frozenset("p div pre ul ol dl table blockquote h1 h2 h3 h4 h5 h6 center".split())
_DROP = "//script|//style|//noscript|//form|//button|//input|//select|//img|//hr|//svg"


def _words(text: str) -> str:
    return " ".join(text.split())


def _has_block(element: HtmlElement) -> bool:
    return any(isinstance(e.tag, str) and e.tag in _BLOCKY for e in element.iterdescendants())


def _inline_text(element: HtmlElement) -> str:
    """Text of an inline run; a superscript keeps its meaning (``2<sup>31</sup>`` is 2^31)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            inner = _inline_text(child)
            parts.append(f"^{inner}" if child.tag == "sup" else " " if child.tag == "br" else inner)
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    """Turns the content elements into blocks; inline text gathers until a block starts."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = _words("".join(self._inline))
        self._inline.clear()
        if text:
            self.blocks.append(Block("para", text))

    def container(self, element: HtmlElement) -> None:
        self._inline.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                self.element(child)
            self._inline.append(child.tail or "")

    def element(self, element: HtmlElement) -> None:
        tag = element.tag
        if tag in _INLINE and not _has_block(element):
            self._inline.append(("^" if tag == "sup" else "") + _inline_text(element))
            return
        self.flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _words(_inline_text(element))
            if text:
                self.blocks.append(Block("heading", text, level=int(tag[1])))
        elif tag == "pre":
            code = textwrap.dedent(element.text_content().expandtabs(8)).strip("\n")
            code = "\n".join(line.rstrip() for line in code.split("\n"))
            if code.strip():
                self.blocks.append(Block("code", code))
        elif tag in ("ul", "ol"):
            self._list(element)
        elif tag == "table" and not _has_block(element):
            self._table(element)
        elif tag == "dl":
            for child in element:
                if child.tag == "dt":
                    self.flush()
                    self.container(child)
                    self.flush()
                elif child.tag == "dd":
                    self.container(child)
                    self.flush()
        else:
            self.container(element)
            self.flush()

    def _list(self, element: HtmlElement) -> None:
        items = [li for li in element if li.tag == "li"]
        ordered = element.tag == "ol"
        if not any(_has_block(li) for li in items):
            texts = tuple(text for text in (_words(_inline_text(li)) for li in items) if text)
            if texts:
                self.blocks.append(Block("list", ordered=ordered, items=texts))
            return
        # Items made of paragraphs, code or sub-lists (limits.html: one item per limit) stay
        # blocks; an ordered item's number leads its first paragraph.
        for number, li in enumerate(items, 1):
            start = len(self.blocks)
            self.container(li)
            self.flush()
            first = self.blocks[start] if len(self.blocks) > start else None
            if ordered and first is not None and first.kind == "para":
                self.blocks[start] = Block("para", f"{number}. {first.text}")

    def _table(self, element: HtmlElement) -> None:
        rows = []
        for tr in element.iter("tr"):
            cells = tuple(_words(_inline_text(cell)) for cell in tr if cell.tag in ("td", "th"))
            if any(cells):
                rows.append(cells)
        if rows:
            width = max(len(row) for row in rows)
            padded = tuple(row + ("",) * (width - len(row)) for row in rows)
            self.blocks.append(Block("table", rows=padded))


def parse_page(markup: bytes) -> Page:
    """The title and content blocks of a SQLite documentation page (UTF-8 HTML)."""
    root = lxml_html.document_fromstring(SVG.sub(b"", markup).decode("utf-8"))
    fancy = root.xpath('//div[@class="fancy_title"]')
    title = _words(fancy[0].text_content()) if fancy else _words(root.findtext(".//title") or "")
    # Menus, the table of contents and the labels of the (removed) syntax diagrams.
    for element in root.xpath('//div[@class="nosearch"]|//div[@class="imgcontainer"]|//p[button]'):
        element.drop_tree()
    for element in root.xpath(_DROP):
        element.drop_tree()
    walker = _Walker()
    body = root.find("body")
    if body is not None:
        walker.container(body)
        walker.flush()
    return Page(title=title, blocks=walker.blocks)


def _md_cell(cell: str) -> str:
    return cell.replace("|", "\\|")


def to_markdown(page: Page) -> str:
    """Markdown: ``#`` headings (the title is the only level-1 one), fenced code, tables."""
    out = [f"# {page.title}"]
    for block in page.blocks:
        if block.kind == "heading":
            out.append("#" * min(6, block.level + 1) + " " + block.text)
        elif block.kind == "para":
            out.append(block.text)
        elif block.kind == "code":
            out.append(f"```\n{block.text}\n```")
        elif block.kind == "list":
            out.append(
                "\n".join(
                    f"{n}. {item}" if block.ordered else f"- {item}"
                    for n, item in enumerate(block.items, 1)
                )
            )
        else:
            rows = [" | ".join(map(_md_cell, row)) for row in block.rows]
            rule = " | ".join("---" for _ in block.rows[0])
            out.append("\n".join(f"| {row} |" for row in [rows[0], rule, *rows[1:]]))
    return "\n\n".join(out) + "\n"


_WIDTH = 78


def _fill(text: str, indent: str = "", first: str = "") -> str:
    # No hyphen breaks: joining the lines with spaces must give back the original words.
    return textwrap.fill(
        text,
        _WIDTH,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def to_text(page: Page) -> str:
    """Plain text as a terminal dump: underlined headings, wrapped lines, indented code."""
    out = [page.title, "=" * len(page.title)]
    out = ["\n".join(out)]
    for block in page.blocks:
        if block.kind == "heading":
            rule = "=" if block.level <= 1 else "-"
            out.append(f"{block.text}\n{rule * len(block.text)}")
        elif block.kind == "para":
            out.append(_fill(block.text))
        elif block.kind == "code":
            out.append(textwrap.indent(block.text, "    "))
        elif block.kind == "list":
            lines = []
            for n, item in enumerate(block.items, 1):
                mark = f"{n}. " if block.ordered else "* "
                lines.append(_fill(item, indent="     ", first=f"  {mark:<3}"))
            out.append("\n".join(lines))
        else:
            out.append("\n".join("  " + " | ".join(row) for row in block.rows))
    return "\n\n".join(out) + "\n"
