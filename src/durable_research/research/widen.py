"""Widen a quote over the source blocks it touches: whole sentences, a table with its header,
a code block, whole list items, each within a cap.

Pure functions over ``blocks.Block`` (offsets into the source text); ``quotes.QuoteFinder``
finds the quote and the blocks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from durable_research.research.blocks import Block, BlockKind
from durable_research.research.notes import NoteKind
from durable_research.research.passages import tokens
from durable_research.research.sentences import sentence_spans
from durable_research.research.support import PASSAGE_WORDS

# A widened sentence quote is kept whole up to this many words and characters. The
# citation checker compares a cited sentence with passages of PASSAGE_WORDS (60) words cut
# at sentence ends: a verbatim quote that long is whole in one passage and scores 1.0; a
# longer one straddles passages and its score drops (measured on verbatim sentences of
# random words: 0.90 at 70 words, 0.81 at 80, 0.68 at 110, 0.52 at 160; 0.75 is needed).
# Real sentences fit: those of the calibration sources (tests/data/citation_pairs.json) are
# 126 characters at the median and 297 at the longest. Longer "sentences" are run-together
# text (navigation, cells without full stops): cut around the model's words, marked "…".
MAX_SENTENCE_WORDS = PASSAGE_WORDS
MAX_SENTENCE_CHARS = 600
# Tables, code and lists: their header/fences/markers included, a few rows or lines more.
MAX_BLOCK_CHARS = 1200


@dataclass(frozen=True)
class Quote:
    """A widened quote: its Markdown text, what it is, and a code block's introduction."""

    text: str
    kind: NoteKind
    intro: str = ""


def squash(text: str) -> str:
    """``text`` with each run of whitespace one space, stripped."""
    return " ".join(text.split())


def _index(block: Block, offset: int, after: bool) -> int:
    """Index in ``block.text`` of the first character at/after ``offset`` (or last before)."""
    if after:
        return min(bisect.bisect_left(block.offsets, offset), len(block.text) - 1)
    return max(bisect.bisect_left(block.offsets, offset) - 1, 0)


def _fits(text: str) -> bool:
    return len(text) <= MAX_SENTENCE_CHARS and len(text.split()) <= MAX_SENTENCE_WORDS


def _clip(text: str, qa: int, qb: int) -> str:
    """The words of ``text`` around ``text[qa:qb]`` that fit a sentence quote; "…" marks
    each cut (the quote itself is cut at its end if it does not fit alone)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]

    def fits(lo: int, hi: int) -> bool:
        return hi - lo <= MAX_SENTENCE_WORDS and \
            spans[hi - 1][1] - spans[lo][0] <= MAX_SENTENCE_CHARS

    lo = next((i for i, (_a, b) in enumerate(spans) if b > qa), 0)
    hi = max(lo + 1, next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < qb), 0) + 1)
    while hi - lo > 1 and not fits(lo, hi):
        hi -= 1
    grew = True
    while grew:  # grow on both sides in turn, so the quote stays in the middle
        grew = False
        if lo > 0 and fits(lo - 1, hi):
            lo, grew = lo - 1, True
        if hi < len(spans) and fits(lo, hi + 1):
            hi, grew = hi + 1, True
    out = squash(text[spans[lo][0] : spans[hi - 1][1]])
    return ("… " if lo > 0 else "") + out + (" …" if hi < len(spans) else "")


def _widen_text(text: str, qa: int, qb: int) -> str:
    """``text[qa:qb]`` widened to the sentences it touches: whole if they fit a sentence
    quote; else whole sentences from the first while they fit; else the first clipped."""
    spans = sentence_spans(text) or [(0, len(text))]
    touched = [(a, b) for a, b in spans if a < max(qb, qa + 1) and qa < b] or spans[:1]
    whole = squash(text[touched[0][0] : touched[-1][1]])
    if _fits(whole):
        return whole
    kept: list[str] = []
    for a, b in touched:
        if not _fits(" ".join([*kept, squash(text[a:b])])):
            break
        kept.append(squash(text[a:b]))
    if kept:
        return " ".join(kept)
    a, b = touched[0]
    return _clip(text[a:b], max(qa - a, 0), min(qb, b) - a)


def sentence_quote(blocks: list[Block], start: int, end: int) -> Quote:
    """Prose (paragraphs, headings) widened to whole sentences, joined into one quote.

    Headings are left out of a quote that also has prose: a title is no part of a sentence.
    """
    prose = [b for b in blocks if b.kind is not BlockKind.HEADING]
    blocks = prose or blocks
    parts: list[str] = []
    offsets: list[int] = []
    for b in blocks:
        if parts:
            parts.append(" ")
            offsets.append(offsets[-1])
        parts.append(b.text)
        offsets.extend(b.offsets)
    text = "".join(parts)
    qa = bisect.bisect_left(offsets, start)
    qb = bisect.bisect_left(offsets, end)
    return Quote(_widen_text(text, min(qa, len(text) - 1), max(qb, qa + 1)), NoteKind.SENTENCE)


def _escape_cell(cell: str) -> str:
    return re.sub(r"(?<!\\)\|", r"\\|", cell)


def _row_line(cells: list[str], width: int) -> str:
    cells = [_escape_cell(c) for c in cells] + [""] * (width - len(cells))
    return "| " + " | ".join(cells[:width]) + " |"


def table_quote(blocks: list[Block], group: int, hit: list[Block]) -> Quote:
    """The table's header row and the quoted rows (all rows if only the header was quoted)."""
    rows = [b for b in blocks if b.kind is BlockKind.ROW and b.group == group]
    header = next((r for r in rows if r.header), rows[0])
    data = [r for r in rows if r is not header]
    quoted = [r for r in hit if r.kind is BlockKind.ROW and r.group == group and r is not header]
    width = len(header.cells)
    lines = [_row_line(header.cells, width), "| " + " | ".join(["---"] * width) + " |"]
    for r in quoted or data:
        line = _row_line(r.cells, width)
        if len(lines) > 2 and sum(len(x) + 1 for x in lines) + len(line) > MAX_BLOCK_CHARS:
            break
        lines.append(line)
    return Quote("\n".join(lines), NoteKind.TABLE)


def list_quote(items: list[Block], start: int, end: int) -> Quote:
    """Whole list items (one item longer than a sentence quote may be is cut like prose)."""
    lines: list[str] = []
    for item in items:
        text = squash(item.text)
        if not _fits(text):
            qa, qb = _index(item, start, after=True), _index(item, end, after=False) + 1
            text = _widen_text(item.text, qa, max(qb, qa + 1))
        line = f"{item.marker} {text}"
        if lines and sum(len(x) + 1 for x in lines) + len(line) > MAX_BLOCK_CHARS:
            break
        lines.append(line)
    return Quote("\n".join(lines), NoteKind.LIST)


def code_quote(block: Block, start: int, end: int, before: Block | None) -> Quote:
    """The code block (or the quoted lines of a long one), fenced; the sentence before it
    introduces it when it is prose that says something (has content words)."""
    code = block.text
    if len(code) > MAX_BLOCK_CHARS:
        lines = code.split("\n")
        a = code.count("\n", 0, _index(block, start, after=True))
        b = code.count("\n", 0, _index(block, end, after=False))
        while b + 1 < len(lines) and len("\n".join(lines[a : b + 2])) <= MAX_BLOCK_CHARS:
            b += 1
        code = "\n".join(lines[a : b + 1])[:MAX_BLOCK_CHARS]
    fence = "~~~" if "```" in code else "```"
    intro = ""
    if before is not None and before.kind is BlockKind.PROSE:
        spans = sentence_spans(before.text)
        last = squash(before.text[spans[-1][0] :]) if spans else ""
        if tokens(last) and _fits(last):
            intro = last
    return Quote(f"{fence}{block.marker}\n{code}\n{fence}", NoteKind.CODE, intro)
