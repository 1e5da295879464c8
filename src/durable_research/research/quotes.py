"""Find a quote in its source and widen it to what it quotes: whole sentences or a whole block.

A model quotes a clause ("each other throughout the deployment process"), a cell of a table
row or one line of code. The report should quote the source's sentence, the table (header
and row), the code block, the list item. :class:`QuoteFinder` locates a quote in the source
text the way the notes check always compared them (whitespace and case ignored), then widens
it on the source's own structure (``blocks.parse_blocks``, ``sentences.sentence_spans``).
"""

from __future__ import annotations

import bisect
import re

from durable_research.research.blocks import Block, BlockKind, parse_blocks
from durable_research.research.fences import fence_ranges
from durable_research.research.notes import NoteKind
from durable_research.research.scripts import (
    fold_map,
    fold_text,
    fold_word,
    has_no_space,
    joiner,
)
from durable_research.research.widen import (
    Quote,
    code_quote,
    list_quote,
    sentence_quote,
    squash,
    table_quote,
)

# How far around a quote a text without blank lines is parsed (lines).
CONTEXT_LINES = 60
_ELLIPSIS = ("...", "…", "\"", "“", "”", "'")


class QuoteFinder:
    """Quotes of one source text: locate them, widen them. Build once per source."""

    def __init__(self, text: str) -> None:
        self.text = text
        words = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
        self._raw_starts = [start for start, _w in words]
        self._lengths = [len(w) for _s, w in words]
        # Each word folded (case, width, compatibility forms: scripts.fold_word); a word
        # whose folded form has another length keeps a map back to its characters.
        raw = [w for _s, w in words]
        folded = [w.lower() if w.isascii() else fold_word(w) for w in raw]
        self._maps = {i: fold_map(w) for i, w in enumerate(raw)
                      if not w.isascii() and len(folded[i]) != len(w)}
        self._flat_starts: list[int] = []
        at = 0
        if not has_no_space(text):  # words joined by one space (the common case: fast)
            for word in folded:
                self._flat_starts.append(at)
                at += len(word) + 1
            self._flat = " ".join(folded)
        else:  # no space between two Chinese or Thai characters (scripts.joiner)
            parts: list[str] = []
            for word in folded:
                if parts:
                    gap = joiner(parts[-1], word)
                    parts.append(gap)
                    at += len(gap)
                self._flat_starts.append(at)
                parts.append(word)
                at += len(word)
            self._flat = "".join(parts)
        self._lines = text.split("\n")
        self._line_starts = [0]
        for line in self._lines:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        self._fences = fence_ranges(self._lines)

    def _raw(self, flat: int) -> int:
        """Offset in the text of a character of the squashed, lower-cased text."""
        i = bisect.bisect_right(self._flat_starts, flat) - 1
        inside = min(flat - self._flat_starts[i], self._lengths[i] - 1)
        if i in self._maps:
            inside = self._maps[i][min(flat - self._flat_starts[i], len(self._maps[i]) - 1)]
        return self._raw_starts[i] + inside

    def locate(self, quote: str) -> tuple[int, int] | None:
        """``(start, end)`` of ``quote`` in the text, whitespace, case and width ignored
        (``scripts.fold_text``: a line break inside a Chinese sentence is no space), or None.

        Quotation marks and an ellipsis around the quote are ignored if needed.
        """
        for candidate in (quote, quote.strip().strip("".join(_ELLIPSIS)).strip()):
            flat = fold_text(candidate)
            at = self._flat.find(flat) if flat else -1
            if at >= 0:
                return self._raw(at), self._raw(at + len(flat) - 1) + 1
        return None

    def _fence_at(self, line: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._fences, (line, len(self._lines))) - 1
        if i >= 0 and self._fences[i][0] <= line <= self._fences[i][1]:
            return self._fences[i]
        return None

    def _chunk_start(self, line: int, floor: int) -> int:
        """First line of the blank-line-separated chunk holding ``line``, but not above
        ``floor`` (a fence is whole, a table from its header)."""
        while True:
            fence = self._fence_at(line)
            line = fence[0] if fence else line
            if line == 0 or not self._lines[line - 1].strip():
                return line
            if line <= floor:
                while line > 0 and self._lines[line].startswith("|") \
                        and self._lines[line - 1].startswith("|"):
                    line -= 1
                return line
            line -= 1

    def _chunk_end(self, line: int, ceiling: int) -> int:
        """Last line of the chunk holding ``line``, but not below ``ceiling`` (fences whole)."""
        while True:
            fence = self._fence_at(line)
            line = fence[1] if fence else line
            if line + 1 >= len(self._lines) or not self._lines[line + 1].strip() \
                    or line >= ceiling:
                return line
            line += 1

    def _region(self, start: int, end: int) -> list[Block]:
        """The blocks around ``start:end``: its chunks and the chunk before (a code block's
        introduction). A huge chunk (text without blank lines) is read only near the quote."""
        first = bisect.bisect_right(self._line_starts, start) - 1
        last = bisect.bisect_right(self._line_starts, max(start, end - 1)) - 1
        top = self._chunk_start(first, first - CONTEXT_LINES)
        before = top - 1
        while before >= 0 and not self._lines[before].strip():
            before -= 1
        if before >= 0 and before < top - 1:
            top = self._chunk_start(before, before - CONTEXT_LINES)
        bottom = self._chunk_end(last, last + CONTEXT_LINES)
        base = self._line_starts[top]
        blocks = parse_blocks(self.text[base : self._line_starts[bottom + 1] - 1])
        for b in blocks:
            b.start, b.end = b.start + base, b.end + base
            b.offsets = [o + base for o in b.offsets]
        return blocks

    def widen(self, quote: str) -> Quote | None:
        """``quote`` widened to whole sentences or its whole block; None if not in the text."""
        found = self.locate(quote)
        if found is None:
            return None
        start, end = found
        blocks = self._region(start, end)
        hit = [i for i, b in enumerate(blocks) if b.start < end and start < b.end]
        if not hit:
            return Quote(squash(self.text[start:end]), NoteKind.SENTENCE)
        first = next((i for i in hit if blocks[i].kind is not BlockKind.PROSE
                      and blocks[i].kind is not BlockKind.HEADING), None)
        if first is None:
            return sentence_quote([blocks[i] for i in hit], start, end)
        block = blocks[first]
        if block.kind is BlockKind.ROW:
            return table_quote(blocks, block.group, [blocks[i] for i in hit])
        if block.kind is BlockKind.ITEM:
            items = [blocks[i] for i in hit if blocks[i].group == block.group]
            return list_quote(items, start, end)
        return code_quote(block, start, end, blocks[first - 1] if first else None)
