"""GFM tables in the PDF: column widths from measured text, and bounded work.

Widths follow the browsers' automatic table layout: each column gets at least its
longest word and at most its longest line, measured with the fonts that draw them, so
"Language" never breaks as "Languag|e" while another column has room to spare.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.platypus import Flowable, TableStyle
from reportlab.platypus import Table as RLTable

from durable_research.document.mdparse import table_note
from durable_research.document.render import CodeBlock, Inline, Table, plain_text
from durable_research.layout.flowables import Deferred
from durable_research.layout.fonts import FontSet
from durable_research.layout.inline import Run, RunStyle, char_width, flatten, styled_chunks
from durable_research.layout.limits import MAX_TABLE_CELLS, MAX_TABLE_CHARS
from durable_research.layout.paragraphs import Styles, para, replace_style
from durable_research.layout.wordbreak import needs_dictionary, split_words

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
# Below this text width (points) a column shows a letter or two per line: the table is
# shown as text instead.
MIN_TEXT_WIDTH = 14.0
_SLACK = 1.0  # reportlab's line fitting and our sums may differ by rounding


def _is_break(ch: str) -> bool:
    return ch in " \n" or unicodedata.east_asian_width(ch) in ("W", "F")


def measure(runs: Sequence[Run], fs: FontSet, size: float) -> tuple[float, float]:
    """``(longest word, longest line)`` of runs in points; CJK breaks at every char,
    Thai and the like between the words of the dictionary."""
    pieces = styled_chunks(runs, fs)
    if all(text.isascii() for text, _, _ in pieces):
        return _measure_ascii(pieces, size)
    return measure_chars([(ch, font, style) for text, font, style in pieces for ch in text],
                         size)


def measure_chars(chars: list[tuple[str, str, RunStyle]], size: float) -> tuple[float, float]:
    """:func:`measure` of resolved chars, one at a time."""
    word = line = longest_word = longest_line = 0.0
    start, spaceless = 0, False  # where the word starts; has it Thai or the like?
    for i, (ch, font, _) in enumerate(chars + [("\n", "", None)]):
        if ch == "\n" or _is_break(ch):
            if ch != " " and ch != "\n":
                word += char_width(ch, font, size)  # a CJK char is a word of its own
            longest_word = max(longest_word,
                               _longest_piece(chars[start:i], size) if spaceless else word)
            word, start, spaceless = 0.0, i + 1, False
            if ch == "\n":
                longest_line, line = max(longest_line, line), 0.0
            else:
                line += char_width(ch, font, size)
            continue
        w = char_width(ch, font, size)
        line += w
        word += w
        # A cheap test first: every script written without spaces is above U+0E00.
        spaceless = spaceless or (ch >= "\u0e00" and needs_dictionary(ch))
    return longest_word, longest_line


def _measure_ascii(pieces: Sequence[tuple[str, str, object]], size: float) -> tuple[float, float]:
    """:func:`measure` of text drawn in ASCII: words end at spaces and newlines only, and
    no tuple is made per char (the same sums, char by char, in the same order: a deep
    report's 534 table cells measured char by char were 4 % of its PDF)."""
    word = line = longest_word = longest_line = 0.0
    for text, font, _ in pieces:
        if text == "\n":
            longest_word, word = max(longest_word, word), 0.0
            longest_line, line = max(longest_line, line), 0.0
            continue
        for ch in text:
            w = char_width(ch, font, size)
            line += w
            if ch == " ":
                longest_word, word = max(longest_word, word), 0.0
            else:
                word += w
    return max(longest_word, word), max(longest_line, line)


def _longest_piece(chars: Sequence[tuple[str, str, object]], size: float) -> float:
    """Width of the widest dictionary word of a word of Thai or the like."""
    widest, pos = 0.0, 0
    for piece in split_words("".join(c for c, _, _ in chars)):
        widest = max(widest, sum(char_width(c, f, size) for c, f, _ in chars[pos:pos + len(piece)]))
        pos += len(piece)
    return widest


def column_widths(mins: Sequence[float], maxs: Sequence[float], width: float) -> list[float]:
    """Share ``width`` among columns of given min/max widths (CSS 2.1 auto layout).

    All maxima fit: the spare room goes out in proportion to them. All minima fit: each
    column grows from its minimum towards its maximum. Otherwise the widest minima are
    cut to a common cap, so only the longest words (those that cannot fit) break.
    """
    lo, hi = sum(mins), sum(maxs)
    if hi <= width:
        return [m + (width - hi) * m / hi if hi else width / len(maxs) for m in maxs]
    if lo <= width:
        grow = hi - lo
        return [a + (width - lo) * (b - a) / grow for a, b in zip(mins, maxs, strict=True)]
    cap, rest, left = width / len(mins), width, len(mins)
    for m in sorted(mins):  # water-filling: the columns below the cap keep their minimum
        if m > rest / left:
            cap = rest / left
            break
        rest -= m
        left -= 1
    return [min(m, cap) for m in mins]


def bounded(block: Table) -> tuple[Table, str]:
    """The rows the PDF shows (the work is capped), and a note if some are left out."""
    ncols = max([len(block.header), *(len(r) for r in block.rows), 1])
    cells = chars = 0
    kept = 0
    for row in block.rows:
        cells += ncols
        chars += sum(len(plain_text(c)) for c in row)
        if cells > MAX_TABLE_CELLS or chars > MAX_TABLE_CHARS:
            break
        kept += 1
    if kept == len(block.rows):
        return block, table_note(kept, block.omitted)
    others = ("the Markdown output has all of them" if block.omitted
              else "the HTML and Markdown outputs have all of them")
    note = (f"Table shortened in the PDF: showing {kept:,} of "
            f"{len(block.rows) + block.omitted:,} rows; {others}.")
    return replace(block, rows=block.rows[:kept]), note


def table_flowable(
    block: Table, st: Styles, fs: FontSet, as_code: Callable[[CodeBlock], Flowable]
) -> Flowable:
    """The table laid out at whatever width it gets; header row repeats on each page.

    If the columns cannot all get :data:`MIN_TEXT_WIDTH` (dozens of columns, or a
    deeply indented table), the table is shown as text lines by ``as_code``, with a note.
    """
    ncols = max([len(block.header), *(len(r) for r in block.rows), 1])
    size = st.cell.fontSize

    def runs(cells: Sequence[tuple[Inline, ...]], header: bool) -> list[list[Run]]:
        padded = [*cells[:ncols], *[()] * (ncols - len(cells))]
        return [flatten(c, RunStyle(bold=header)) for c in padded]

    grid = [runs(block.header, True)] + [runs(r, False) for r in block.rows]
    mins, maxs = [0.0] * ncols, [0.0] * ncols
    for row in grid:
        for i, cell in enumerate(row):
            word, line = measure(cell, fs, size)
            mins[i] = max(mins[i], word + _SLACK)
            maxs[i] = max(maxs[i], line + _SLACK)

    def build(width: float) -> Flowable:
        if ncols * (MIN_TEXT_WIDTH + 1.0) > width:
            return _as_text(block, st, fs, as_code, width)
        # Many narrow columns: shrink the padding so cells keep a positive text width.
        pad = max(0.5, min(6.0, width / ncols * 0.12))
        text = column_widths(mins, maxs, max(width - 2 * pad * ncols, 1.0))
        data = []
        for r, row in enumerate(grid):
            cells: list[Flowable] = []
            for i, cell in enumerate(row):
                align = _ALIGN[block.aligns[i]] if i < len(block.aligns) else TA_LEFT
                style = replace_style(st.cell, alignment=align,
                                      fontName=fs.bold if r == 0 else fs.regular)
                cells.append(para(cell, style, fs))
            data.append(cells)
        t = RLTable(data, colWidths=[w + 2 * pad for w in text], repeatRows=1, splitInRow=1)
        t.setStyle(TableStyle([
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return t

    return Deferred(build, 4, 10)


def _as_text(
    block: Table, st: Styles, fs: FontSet, as_code: Callable[[CodeBlock], Flowable],
    width: float,
) -> Flowable:
    ncols = max([len(block.header), *(len(r) for r in block.rows), 1])
    note = note_paragraph(f"Table too wide for the page ({ncols} columns): shown as text, "
                          "one row per line, cells separated by |.", st, fs)
    rows = (block.header, *block.rows)
    code = as_code(CodeBlock("", "\n".join(" | ".join(plain_text(c) for c in r) for r in rows)))
    t = RLTable([[note], [code]], colWidths=[width], splitInRow=1)
    t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def note_paragraph(text: str, st: Styles, fs: FontSet) -> Flowable:
    """A visible editorial note (small, grey, italic), e.g. that a table was shortened."""
    style = replace_style(st.cell, textColor=colors.HexColor("#555555"), spaceAfter=6)
    return para([(text, RunStyle(italic=True))], style, fs)
