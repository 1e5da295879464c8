"""Split a document's text into passages that know their section heading.

Search ranks passages, and a passage's heading says what it is about better than its
words do ("Write-Ahead Logging > Checkpointing" above a paragraph that never names the
log). Passages are whole sentences packed up to a word count, never across a heading;
a new paragraph starts a new passage once the current one is half full.

Headings are the Markdown ones (``#`` lines and setext ``===``/``---`` underlines:
Markdown and text files, and HTML pages, whose headings the extractor writes that way). A
text without any (PDF, plain text) gets heuristic headings: a short stand-alone line without
closing punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from durable_research.research.scripts import join_words, word_count

PASSAGE_WORDS = 120
# A passage cut inside a paragraph repeats its last sentence in the next one when the
# sentence is this short, so a fact spanning the cut is still whole in one passage.
CARRY_WORDS = 30
# Windows of an over-long "sentence" (tables, code, lists without stops) overlap this much.
WINDOW_OVERLAP = 20
HEADING_SEPARATOR = " > "

MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# A setext heading's underline: "Title" above "=====" (level 1) or "-----" (level 2).
SETEXT_UNDERLINE = re.compile(r"^(=+|-+)$")
# A sentence ends at . ! ? followed by space and a capital, digit, quote or bracket.
# Also after the Arabic, Urdu, Devanagari, Burmese and Khmer terminators (no capitals),
# and right after an ideographic one (no space follows it in Chinese or Japanese).
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[؟۔।॥။។៕])\s+|(?<=[。！？])\s*")
_WEAK_HEADING_WORDS = 8
_NOT_HEADING_END = tuple(".,;:!?")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d+[.)])\s")


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences and the heading path of the section it is in."""

    heading: str
    text: str


def _weak_heading(line: str) -> bool:
    """A stand-alone line that reads like a heading: short, no closing punctuation."""
    words = line.split()
    return (0 < len(words) <= _WEAK_HEADING_WORDS and not line.endswith(_NOT_HEADING_END)
            and not _LIST_ITEM.match(line) and "|" not in line
            and any(c.isalpha() for c in line) and (line[0].isupper() or line[0].isdigit()))


class _Packer:
    """Collects sentences into passages of at most ``words`` words."""

    def __init__(self, words: int) -> None:
        self.words = words
        self.out: list[Passage] = []
        self.lines: list[list[str]] = []  # sentences, grouped by source line
        self.count = 0
        self.heading = ""

    def flush(self, carry: bool = False) -> None:
        last = self.lines[-1][-1] if self.lines and self.lines[-1] else ""
        if self.count:
            text = "\n".join(join_words(line) for line in self.lines if line)
            self.out.append(Passage(self.heading, text))
        self.lines, self.count = [], 0
        if carry and last and word_count(last) <= CARRY_WORDS:
            self.lines, self.count = [[last]], word_count(last)

    def line(self, text: str, new_paragraph: bool) -> None:
        if new_paragraph and self.count >= self.words / 2:
            self.flush()
        self.lines.append([])
        for sentence in SENTENCE_BREAK.split(text):
            if not sentence:
                continue
            # Chinese or Thai counts its characters (scripts.word_count).
            n = word_count(sentence)
            if n > self.words:
                self.flush()
                self._windows(sentence.split())
                self.lines.append([])
                continue
            if self.count + n > self.words:
                self.flush(carry=True)  # the carried sentence stays on this line
                if not self.lines:
                    self.lines.append([])
            self.lines[-1].append(sentence)
            self.count += n

    def _windows(self, parts: list[str]) -> None:
        step = self.words - WINDOW_OVERLAP
        for start in range(0, len(parts), step):
            self.out.append(Passage(self.heading, " ".join(parts[start:start + self.words])))
            if start + self.words >= len(parts):
                break


def _markdown_headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    """``{line number: (level, title)}`` of the ATX (``## x``) and setext headings."""
    found: dict[int, tuple[int, str]] = {}
    for i, line in enumerate(lines):
        atx = MD_HEADING.match(line)
        if atx:
            found[i] = (len(atx.group(1)), atx.group(2))
        elif (line and i + 1 < len(lines) and len(lines[i + 1]) >= 3
              and SETEXT_UNDERLINE.match(lines[i + 1]) and not _LIST_ITEM.match(line)):
            found[i] = (1 if lines[i + 1][0] == "=" else 2, line)
    return found


def chunk(text: str, words: int = PASSAGE_WORDS) -> list[Passage]:
    """The passages of ``text`` in order, each with its heading path ("A > B")."""
    if words <= WINDOW_OVERLAP:
        raise ValueError(f"passages need more than {WINDOW_OVERLAP} words, got {words}")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    levels = _markdown_headings(lines)
    markdown = bool(levels)
    packer = _Packer(words)
    path: list[tuple[int, str]] = []
    new_paragraph = True
    for i, line in enumerate(lines):
        if not line or (i - 1 in levels and SETEXT_UNDERLINE.match(line)):
            new_paragraph = True
            continue
        alone = new_paragraph and (i + 1 == len(lines) or not lines[i + 1])
        if i in levels or (not markdown and alone and _weak_heading(line)):
            level, title = levels.get(i, (1, line))
            packer.flush()
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            packer.heading = HEADING_SEPARATOR.join(t for _, t in path)
            new_paragraph = True
            continue
        packer.line(line, new_paragraph)
        new_paragraph = False
    packer.flush()
    return packer.out
