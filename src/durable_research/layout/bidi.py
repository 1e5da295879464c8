"""Right-to-left support: Unicode bidi reordering of one line.

reportlab's own RTL support needs ``rlbidi``, which is not on PyPI, so each *already
wrapped* line is reordered with the Unicode Bidirectional Algorithm (UAX #9 reorders per
line, after line breaking): levels from FriBidi (:mod:`fribidi`), mirrored brackets from
python-bidi's table. Shaping (Arabic joining, marks) is
HarfBuzz's job, see :mod:`shaping`: here runs are only put in visual order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bidi.mirror import MIRRORED

from durable_research.layout.direction import base_is_rtl, has_rtl
from durable_research.layout.fribidi import embedding_levels
from durable_research.layout.shaping import RTL_END, RTL_START

_Item = tuple[str, str, Any]  # (drawn char, font name, run style)
__all__ = ["base_is_rtl", "has_rtl", "line_levels", "visual_line", "visual_order", "visual_runs"]
def visual_order(text: str, rtl_base: bool) -> tuple[list[int], str]:
    """Compute the visual order of one line of text.

    Args:
        text: One wrapped line in logical order (already shaped).
        rtl_base: Paragraph direction.

    Returns:
        ``(order, mirrored)`` where ``order[i]`` is the logical index of the char shown
        at visual position ``i`` and ``mirrored`` is ``text`` with brackets mirrored where
        they are drawn right-to-left.
    """
    if not text:
        return [], text
    level = 1 if rtl_base else 0
    levels = embedding_levels(text, rtl_base)
    # L1: trailing whitespace goes back to the paragraph level.
    i = len(text) - 1
    while i >= 0 and text[i].isspace():
        levels[i] = level
        i -= 1
    # L2: from the highest level down to the lowest odd level, reverse every run.
    order = list(range(len(text)))
    top = max(levels)
    low_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for lv in range(top, low_odd - 1, -1):
        j = 0
        while j < len(order):
            if levels[order[j]] >= lv:
                k = j
                while k < len(order) and levels[order[k]] >= lv:
                    k += 1
                order[j:k] = order[j:k][::-1]
                j = k
            else:
                j += 1
    # L4: mirror brackets etc. that end up in right-to-left runs.
    mirrored = "".join(
        MIRRORED.get(ch, ch) if levels[n] % 2 else ch for n, ch in enumerate(text)
    )
    return order, mirrored


def line_levels(text: str, rtl_base: bool) -> list[int]:
    """Embedding levels of one line, with rule L1 (trailing whitespace) applied."""
    levels = embedding_levels(text, rtl_base)
    i = len(text) - 1
    while i >= 0 and text[i].isspace():
        levels[i] = 1 if rtl_base else 0
        i -= 1
    return levels


def visual_runs(text: str, rtl_base: bool) -> list[tuple[int, int, bool]]:
    """Level runs of one line as ``(start, end, rtl)``, in visual order (rule L2).

    Characters inside a run stay in logical order: a right-to-left run is handed to
    HarfBuzz as is, which returns its glyphs right to left (and mirrors brackets).
    """
    levels = line_levels(text, rtl_base)
    runs: list[tuple[int, int, int]] = []
    for i, lv in enumerate(levels):
        if runs and runs[-1][2] == lv:
            runs[-1] = (runs[-1][0], i + 1, lv)
        else:
            runs.append((i, i + 1, lv))
    if not runs:
        return []
    top = max(r[2] for r in runs)
    low_odd = min((r[2] for r in runs if r[2] % 2), default=top + 1)
    for lv in range(top, low_odd - 1, -1):
        j = 0
        while j < len(runs):
            if runs[j][2] >= lv:
                k = j
                while k < len(runs) and runs[k][2] >= lv:
                    k += 1
                runs[j:k] = runs[j:k][::-1]
                j = k
            else:
                j += 1
    return [(a, b, lv % 2 == 1) for a, b, lv in runs]


def visual_line(line: Sequence[_Item], rtl_base: bool) -> list[_Item]:
    """Put one wrapped line of ``(char, font, style)`` items in visual order for drawing.

    Left-to-right runs are kept as they are. In a right-to-left run the words are put
    in reverse order and each word stays in logical order between RTL_START/RTL_END,
    for :mod:`shaping` to hand to HarfBuzz as one right-to-left segment.
    """
    text = "".join(item[0] for item in line)
    if not (rtl_base or has_rtl(text)):
        return list(line)
    out: list[_Item] = []
    for start, end, rtl in visual_runs(text, rtl_base):
        if not rtl:
            out.extend(line[start:end])
            continue
        words: list[list[_Item]] = []
        for item in line[start:end]:
            if words and (item[0] == " ") == (words[-1][0][0] == " "):
                words[-1].append(item)
            else:
                words.append([item])
        for word in reversed(words):
            if word[0][0] == " ":
                out.extend(word)
            else:
                out.append((RTL_START, *word[0][1:]))
                out.extend(word)
                out.append((RTL_END, *word[-1][1:]))
    return out
