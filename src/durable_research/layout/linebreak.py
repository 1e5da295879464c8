"""Our own line breaking, for text reportlab cannot break: RTL, CJK, Thai, code.

Lines are broken in *logical* order (UAX #9 reorders each line afterwards). Break
opportunities are spaces, between two CJK characters, between the words of Thai, Lao,
Khmer and Myanmar (found by a dictionary: :mod:`wordbreak`), and, for a unit wider
than a line (a long URL, a Thai word longer than the column), between grapheme
clusters, never inside one. CJK follows the basic kinsoku rules: closing punctuation and small kana
never start a line, opening brackets never end one. Widths are measured shaped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from durable_research.layout.shaping import text_width
from durable_research.layout.wordbreak import needs_dictionary, split_words

Item = tuple[str, str, Any]  # (drawn char, font name, run style)

# Kinsoku shori: may not start a line (closing punctuation, iteration marks, small kana,
# prolonged sound mark) and may not end a line (opening brackets).
NO_START = frozenset(
    "、。，．・：；？！゛゜ヽヾゝゞ々〻ー）〕］｝〉》」』】〙〗〟’”｠»"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "…‥〜～!%),.:;?]}°‰′″℃％"
)
NO_END = frozenset("（〔［｛〈《「『【〘〖〝‘“｟«([{")
_VIRAMA = 9  # canonical combining class of viramas: the next consonant joins the cluster
_THAI_LEADING = frozenset("เแโใไເແໂໃໄ")  # leading vowels belong to the next consonant
_THAI_AM = frozenset("ำຳ")


@cache  # called for every character of RTL/CJK paragraphs
def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, Hangul and full-width forms: a break is allowed around them."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def joins_previous(prev: str, ch: str) -> bool:
    """Whether ``ch`` continues the grapheme cluster (or Indic conjunct) before it."""
    return (
        unicodedata.category(ch)[0] == "M"
        or ch in "\u200c\u200d" or ch in _THAI_AM
        or prev == "\u200d" or prev in _THAI_LEADING
        or unicodedata.combining(prev) == _VIRAMA
    )


def clusters(items: Sequence[Item]) -> list[list[Item]]:
    """Split into grapheme clusters (approximately: marks, joiners, conjuncts, Thai)."""
    out: list[list[Item]] = []
    prev = ""
    for item in items:
        if out and prev and joins_previous(prev, item[0]):
            out[-1].append(item)
        else:
            out.append([item])
        prev = item[0]
    return out


def width_of(items: Sequence[Item], size: float) -> float:
    """Shaped width of items, measured per run of one font."""
    total = 0.0
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i][1] != items[start][1]:
            text = "".join(c for c, _, _ in items[start:i])
            total += text_width(text, items[start][1], size)
            start = i
    return total


def units(chars: Sequence[Item]) -> list[list[Item]]:
    """Unbreakable units: words with their trailing space, single CJK chars (kinsoku-glued).

    A word of a script written without spaces (Thai...) is the dictionary's words.
    """
    return [piece for unit in _space_units(chars) for piece in _dictionary_words(unit)]


def _dictionary_words(unit: list[Item]) -> list[list[Item]]:
    text = "".join(c for c, _, _ in unit)
    if not needs_dictionary(text):
        return [unit]
    out: list[list[Item]] = []
    pos = 0
    for piece in split_words(text):
        out.append(unit[pos:pos + len(piece)])
        pos += len(piece)
    return out


def _space_units(chars: Sequence[Item]) -> list[list[Item]]:
    """Words with their trailing space, "\n" items, single CJK chars (kinsoku-glued)."""
    out: list[list[Item]] = []
    cur: list[Item] = []
    for item in chars:
        ch = item[0]
        if ch == "\n":
            if cur:
                out.append(cur)
            out.append([item])
            cur = []
        elif ch in NO_START and not cur and out and out[-1][0][0] != "\n":
            out[-1].append(item)  # stays on the line of what precedes it
        elif is_wide(ch) and not (cur and cur[-1][0] in NO_END):
            if cur:
                out.append(cur)
            cur = [item]
            if ch not in NO_END:
                out.append(cur)
                cur = []
        else:
            cur.append(item)
            if ch == " " or (is_wide(ch) and ch not in NO_END):
                out.append(cur)
                cur = []
    if cur:
        out.append(cur)
    return out


def break_lines(chars: Sequence[Item], width: float, size: float) -> list[list[Item]]:
    """Greedy fill of ``width``; "\\n" items force a break. Lines keep logical order."""
    lines: list[list[Item]] = [[]]
    used = 0.0
    for unit in units(chars):
        if unit[0][0] == "\n":
            lines.append([])
            used = 0.0
            continue
        w = width_of(unit, size)
        if used + w > width and lines[-1]:
            lines.append([])
            used = 0.0
        if used + w <= width:
            if not (unit[0][0] == " " and not lines[-1]):
                lines[-1].extend(unit)
                used += w
            continue
        for cl in clusters(unit):  # wider than a whole line: cut between clusters
            cw = width_of(cl, size)
            if used + cw > width and lines[-1]:
                lines.append([])
                used = 0.0
            if cl[0][0] == " " and not lines[-1]:
                continue
            lines[-1].extend(cl)
            used += cw
    return lines


def hard_wrap(chars: Sequence[Item], width: float, size: float) -> list[list[Item]]:
    """Cut a code line into pieces no wider than ``width``, between clusters."""
    lines: list[list[Item]] = [[]]
    used = 0.0
    for cl in clusters(chars):
        cw = width_of(cl, size)
        if used + cw > width and lines[-1]:
            lines.append([])
            used = 0.0
        lines[-1].extend(cl)
        used += cw
    return lines
