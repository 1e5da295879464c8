"""The Markdown block structure of a source text: prose, headings, list items, table rows, code.

Extracted texts are Markdown-like (``extract.py`` writes HTML tables as Markdown tables, lists
as ``-`` items and code as fenced blocks; Markdown sources are kept as written), so one parse
with markdown-it tells a table row from a sentence. Every block keeps the offsets of its
characters in the parsed text, so a quote found there can be mapped onto its block.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Block structure only: the inline rules (emphasis, links) would cost most of the parse time.
_MD = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
# Older extractions wrote HTML table rows as "a | b" lines without a header separator.
_PIPE = " | "


class BlockKind(StrEnum):
    """What a block of a source text is."""

    PROSE = "prose"
    HEADING = "heading"
    ITEM = "item"
    ROW = "row"
    CODE = "code"


@dataclass
class Block:
    """One block of a text; ``start``/``end`` span its lines, ``offsets`` map its ``text``.

    ``text`` is the block's content without Markdown markers (a list item's text without its
    ``-``, a fence's code without the fences); ``offsets[i]`` is where ``text[i]`` is in the
    parsed text. ``group`` numbers the list or table an item or row belongs to.
    """

    kind: BlockKind
    start: int
    end: int
    text: str = ""
    offsets: list[int] = field(default_factory=list)
    marker: str = ""  # a list item's marker ("-", "3."), a code fence's info string
    cells: list[str] = field(default_factory=list)
    header: bool = False
    group: int = 0


def _offsets(content: str, first: int, lines: list[str], starts: list[int]) -> list[int]:
    """Offsets of ``content``'s characters; each content line ends its source line."""
    out: list[int] = []
    for n, piece in enumerate(content.split("\n")):
        row = min(first + n, len(lines) - 1)
        src = lines[row]
        at = len(src.rstrip()) - len(piece.rstrip())
        if at < 0 or not src.startswith(piece, at):
            at = max(src.find(piece), 0)
        if n:
            out.append(starts[row] - 1)  # the line break before this line
        out.extend(range(starts[row] + at, starts[row] + at + len(piece)))
    return out


def _pipe_rows(block: Block, group: int) -> list[Block] | None:
    """A paragraph of ``a | b`` lines with equal cell counts, as table rows (else None)."""
    lines = block.text.split("\n")
    cells = [[c.strip() for c in line.strip().strip("|").split(_PIPE)] for line in lines]
    if len(lines) < 2 or len({len(c) for c in cells}) != 1 or len(cells[0]) < 2:
        return None
    rows, pos = [], 0
    for i, (line, row) in enumerate(zip(lines, cells, strict=True)):
        a = block.offsets[pos]
        rows.append(Block(BlockKind.ROW, a, a + len(line), cells=row, header=i == 0,
                          group=group))
        pos += len(line) + 1
    return rows


def parse_blocks(text: str) -> list[Block]:
    """The leaf blocks of ``text`` in order (blank lines, rules and fence lines are none)."""
    lines = text.split("\n")
    starts = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
    out: list[Block] = []
    groups: list[int] = []  # the open lists and tables, innermost last
    markers: list[str] = []  # the open list items' markers
    counter, in_head, parent = 0, False, ""
    row: Block | None = None
    for tok in _MD.parse(text):
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open", "table_open"):
            counter += 1
            groups.append(counter)
        elif kind in ("bullet_list_close", "ordered_list_close", "table_close"):
            groups.pop()
        elif kind == "list_item_open":
            markers.append("-" if tok.markup in ("-", "*", "+") else f"{tok.info}{tok.markup}")
        elif kind == "list_item_close":
            markers.pop()
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind in ("paragraph_open", "heading_open"):
            parent = kind
        elif kind == "tr_open" and tok.map is not None:
            start, end = _span(tok.map, starts)
            row = Block(BlockKind.ROW, start, end, header=in_head, group=groups[-1])
            out.append(row)
        elif kind == "tr_close":
            row = None
        elif kind == "inline" and row is not None:
            row.cells.append(" ".join(tok.content.split()))
        elif kind == "inline" and tok.map is not None:
            out.extend(_text_block(tok, parent, markers, groups, lines, starts))
        elif kind in ("fence", "code_block", "html_block") and tok.map is not None:
            out.append(_code_block(tok, lines, starts))
    return out


def _span(line_map: list[int], starts: list[int]) -> tuple[int, int]:
    """Offsets of the start of a block's first line and the end of its last line."""
    return starts[line_map[0]], starts[line_map[1]] - 1


def _text_block(tok: Token, parent: str, markers: list[str], groups: list[int],
                lines: list[str], starts: list[int]) -> list[Block]:
    """A paragraph's or heading's text: prose, a heading, a list item or pipe rows."""
    assert tok.map is not None
    start, end = _span(tok.map, starts)
    offsets = _offsets(tok.content, tok.map[0], lines, starts)
    if parent == "heading_open":
        return [Block(BlockKind.HEADING, start, end, tok.content, offsets)]
    if markers:
        return [Block(BlockKind.ITEM, start, end, tok.content, offsets, marker=markers[-1],
                      group=groups[-1])]
    block = Block(BlockKind.PROSE, start, end, tok.content, offsets)
    # Lists and tables are numbered from 1: a negative group number is this table's own.
    return _pipe_rows(block, -1 - tok.map[0]) or [block]


def _code_block(tok: Token, lines: list[str], starts: list[int]) -> Block:
    """A fenced or indented code block (an HTML block counts as prose)."""
    assert tok.map is not None
    start, end = _span(tok.map, starts)
    content = tok.content.rstrip("\n")
    if tok.type == "html_block":
        return Block(BlockKind.PROSE, start, end, content,
                     _offsets(content, tok.map[0], lines, starts))
    body = tok.map[0] + 1 if tok.type == "fence" else tok.map[0]
    return Block(BlockKind.CODE, start, end, content, _offsets(content, body, lines, starts),
                 marker=tok.info.strip())
