"""Right-to-left support: Arabic shaping and Unicode bidi reordering of one line.

reportlab's own RTL support needs ``rlbidi``, which is not on PyPI, so we shape
Arabic with arabic-reshaper (contextual presentation forms, which DejaVu Sans has)
and reorder each *already wrapped* line with the Unicode Bidirectional Algorithm
from python-bidi (UAX #9 reorders per line, after line breaking).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from arabic_reshaper import ArabicReshaper
from bidi import algorithm as uba
from bidi import get_display
from bidi.mirror import MIRRORED

_RTL_CLASSES = frozenset({"R", "AL"})
_LEVEL_RE = re.compile(r"Level\(\s*(\d+),?\s*\)")


@cache
def _reshaper() -> ArabicReshaper:
    # Keep harakat (vowel marks): deleting them would silently drop characters.
    return ArabicReshaper(
        configuration={"delete_harakat": False, "ARABIC LIGATURE ALLAH": False}
    )


def has_rtl(text: str) -> bool:
    """Whether ``text`` contains a strong right-to-left character (Hebrew, Arabic...)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def base_is_rtl(text: str) -> bool:
    """Paragraph direction per UAX #9 rules P2/P3: the first strong character decides."""
    for ch in text:
        cls = unicodedata.bidirectional(ch)
        if cls == "L":
            return False
        if cls in _RTL_CLASSES:
            return True
    return False


def shape_arabic(text: str) -> str:
    """Replace Arabic letters by their contextual presentation forms (same order)."""
    if not any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text):
        return text
    return str(_reshaper().reshape(text))


def _levels_rust(text: str, rtl_base: bool) -> list[int] | None:
    # python-bidi's Rust core (full UAX #9 incl. bracket pairs, N0) exposes embedding
    # levels only through its debug dump, one entry per UTF-8 byte.
    dump = str(get_display(text, base_dir="R" if rtl_base else "L", debug=True))
    start = dump.find("levels: [")
    end = dump.find("paragraphs:", start)
    if start < 0 or end < 0:
        return None
    per_byte = [int(n) for n in _LEVEL_RE.findall(dump[start:end])]
    if len(per_byte) != len(text.encode("utf-8")):
        return None
    out: list[int] = []
    offset = 0
    for ch in text:
        out.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    return out


def _levels_python(text: str, rtl_base: bool) -> list[int]:
    # Older pure-Python implementation (no bracket pairs); used only if the dump changes.
    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if rtl_base else 0
    storage["base_dir"] = "R" if rtl_base else "L"
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    return [int(c["level"]) for c in storage["chars"]]


def _levels(text: str, rtl_base: bool) -> list[int]:
    try:
        levels = _levels_rust(text, rtl_base)
    except Exception:  # noqa: BLE001 - fall back to the pure-Python algorithm
        levels = None
    return levels if levels is not None else _levels_python(text, rtl_base)


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
    levels = _levels(text, rtl_base)
    if len(levels) != len(text):  # defensive: never mis-map characters
        return list(range(len(text))), text
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
