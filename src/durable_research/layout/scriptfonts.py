"""Per-script fonts (Noto) for scripts the base font lacks or draws poorly.

DejaVu Sans covers Latin, Greek, Cyrillic, Armenian, Georgian and has basic Arabic and
Hebrew, but no Indic or Southeast Asian scripts, and its Arabic lacks much of Persian
and Urdu. For those scripts the Noto family from Debian's fonts-noto-core (TrueType
outlines, which reportlab can embed) is preferred. Fonts are registered lazily, the
first time a character needs them, so a report in English loads none of them. A
missing family is logged once; the caller then falls back to the general fonts.
"""

from __future__ import annotations

import bisect
import logging
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from durable_research.layout.fontfiles import find_font_file
from durable_research.layout.pdffont import DRFont

log = logging.getLogger(__name__)
NOTO_HINT = "apt-get install -y fonts-noto-core"

# (first, last, Noto family) sorted by first code point; the family's files are
# "<family>-Regular.ttf" and "<family>-Bold.ttf".
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "NotoSansHebrew"),
    (0x0600, 0x06FF, "NotoSansArabic"),
    (0x0700, 0x074F, "NotoSansSyriac"),
    (0x0750, 0x077F, "NotoSansArabic"),
    (0x0780, 0x07BF, "NotoSansThaana"),
    (0x07C0, 0x07FF, "NotoSansNKo"),
    (0x0860, 0x08FF, "NotoSansArabic"),
    (0x0900, 0x097F, "NotoSansDevanagari"),
    (0x0980, 0x09FF, "NotoSansBengali"),
    (0x0A00, 0x0A7F, "NotoSansGurmukhi"),
    (0x0A80, 0x0AFF, "NotoSansGujarati"),
    (0x0B00, 0x0B7F, "NotoSansOriya"),
    (0x0B80, 0x0BFF, "NotoSansTamil"),
    (0x0C00, 0x0C7F, "NotoSansTelugu"),
    (0x0C80, 0x0CFF, "NotoSansKannada"),
    (0x0D00, 0x0D7F, "NotoSansMalayalam"),
    (0x0D80, 0x0DFF, "NotoSansSinhala"),
    (0x0E00, 0x0E7F, "NotoSansThai"),
    (0x0E80, 0x0EFF, "NotoSansLao"),
    (0x0F00, 0x0FFF, "NotoSerifTibetan"),
    (0x1000, 0x109F, "NotoSansMyanmar"),
    (0x1200, 0x139F, "NotoSansEthiopic"),
    (0x13A0, 0x13FF, "NotoSansCherokee"),
    (0x1780, 0x17FF, "NotoSansKhmer"),
    (0x1800, 0x18AF, "NotoSansMongolian"),
    (0x19E0, 0x19FF, "NotoSansKhmer"),
    (0xA8E0, 0xA8FF, "NotoSansDevanagari"),
    (0xA9E0, 0xA9FF, "NotoSansMyanmar"),
    (0xAA60, 0xAA7F, "NotoSansMyanmar"),
    (0xFB1D, 0xFB4F, "NotoSansHebrew"),
    (0xFB50, 0xFDFF, "NotoSansArabic"),
    (0xFE70, 0xFEFF, "NotoSansArabic"),
)
_STARTS = [r[0] for r in _RANGES]


def family_for(ch: str) -> str | None:
    """The Noto family preferred for ``ch``, or None if the base fonts should draw it."""
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def _find(file_name: str) -> Path | None:
    return find_font_file((file_name,))


def register_file(name: str, path: Path, synthetic_bold: bool = False) -> bool:
    """Register ``path`` as font ``name`` (first face of a collection); False if unusable."""
    if name in pdfmetrics.getRegisteredFontNames():
        return True
    try:
        # subfontIndex=0 picks the first face of a .ttc collection.
        font = DRFont(name, str(path), subfontIndex=0, synthetic_bold=synthetic_bold)
        pdfmetrics.registerFont(font)
    except Exception:  # noqa: BLE001 - an unusable (e.g. CFF-outline) file is just skipped
        log.info("font file %s cannot be embedded; skipped", path)
        return False
    return True


@cache
def family_font(family: str, bold: bool) -> str | None:
    """Registered font name for a Noto family, bold if asked (real or synthetic)."""
    weight = "Bold" if bold else "Regular"
    path = _find(f"{family}-{weight}.ttf")
    if path is not None and register_file(f"DR-{family}-{weight}", path):
        return f"DR-{family}-{weight}"
    regular = _find(f"{family}-Regular.ttf")
    if regular is None:
        log.warning("no %s font found; text in that script falls back to other fonts "
                    "or U+FFFD (install it with `%s`)", family, NOTO_HINT)
        return None
    if bold:
        return synthetic_bold(str(regular))
    return f"DR-{family}-Regular" if register_file(f"DR-{family}-Regular", regular) else None


@cache
def synthetic_bold(path: str) -> str | None:
    """A twin of the font file at ``path`` drawn with fill+stroke, for fonts with one weight."""
    name = f"DR-SynBold-{Path(path).stem}"
    return name if register_file(name, Path(path), synthetic_bold=True) else None
