"""Embedded TrueType fonts and per-character font fallback for the PDF layout.

Fonts are looked up at run time in a fixed list of folders (this package's ``fonts/``
folder, Debian's font folders, reportlab's own fonts); nothing is downloaded. The
Debian packages that provide full coverage are::

    apt-get install -y fonts-dejavu-core fonts-noto-core fonts-wqy-microhei fonts-symbola

DejaVu Sans covers Latin, Greek and Cyrillic; Noto (see :mod:`scriptfonts`) covers
Arabic, Hebrew, the Indic and Southeast Asian scripts; WenQuanYi Micro Hei covers CJK
and Hangul (Noto CJK is CFF-outline OpenType, which reportlab cannot embed); Symbola
covers symbols and emoji up to Unicode 8 (monochrome). Characters no font has are
replaced by a visible U+FFFD so nothing is silently dropped. reportlab embeds subsets
only; complex scripts are shaped by HarfBuzz (see :mod:`shaping`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics

# scriptfonts imports pdffont, which installs the UTF-16 ToUnicode writer on import.
from durable_research.layout.fontfiles import find_font_file, font_dirs
from durable_research.layout.scriptfonts import (
    family_font,
    family_for,
    register_file,
    synthetic_bold,
)

REPLACEMENT = "\ufffd"
APT_HINT = "apt-get install -y fonts-dejavu-core fonts-noto-core fonts-wqy-microhei fonts-symbola"

# Logical face -> candidate file names, best first.
_FACES: dict[str, tuple[str, ...]] = {
    "DR-Sans": ("DejaVuSans.ttf", "Vera.ttf"),
    "DR-Sans-Bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
    "DR-Sans-Italic": ("DejaVuSans-Oblique.ttf", "VeraIt.ttf"),
    "DR-Sans-BoldItalic": ("DejaVuSans-BoldOblique.ttf", "VeraBI.ttf"),
    "DR-Mono": ("DejaVuSansMono.ttf", "NotoSansMono-Regular.ttf"),
    "DR-Mono-Bold": ("DejaVuSansMono-Bold.ttf", "NotoSansMono-Bold.ttf"),
}
# Fallback fonts tried in order for characters the primary font lacks.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "DR-FB-CJK": ("wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf"),
    "DR-FB-CJK2": ("DroidSansFallbackFull.ttf",),
    "DR-FB-Symbols": ("Symbola_hint.ttf", "Symbola.ttf"),
    "DR-FB-Serif": ("FreeSerif.ttf",),
}


class FontNotFoundError(RuntimeError):
    """No usable TrueType font was found for the report's base text."""


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names used by the PDF layout."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str
    mono_bold: str
    fallbacks: tuple[str, ...]
    files: tuple[str, ...]
    # Font file of each fallback, for synthetic bold twins (the fallbacks have one weight).
    fallback_files: tuple[str, ...] = ()

    def is_bold(self, name: str) -> bool:
        """Whether ``name`` is one of the bold faces of this set."""
        return name in (self.bold, self.bold_italic, self.mono_bold) and name != self.regular

    def primary(self, bold: bool = False, italic: bool = False, code: bool = False) -> str:
        """Return the font name for a run style."""
        if code:
            return self.mono_bold if bold else self.mono
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        return self.italic if italic else self.regular


@cache
def font_set() -> FontSet:
    """Find and register the fonts once per process.

    Raises:
        FontNotFoundError: If not even a regular sans font can be loaded.
    """
    chosen: dict[str, str] = {}
    files: list[str] = []
    for name, cands in _FACES.items():
        path = find_font_file(cands)
        if path is not None and register_file(name, path):
            chosen[name] = name
            files.append(str(path))
    if "DR-Sans" not in chosen:
        raise FontNotFoundError(
            "no TrueType font for report text found in "
            + ", ".join(str(d) for d in font_dirs())
            + f"; install one, e.g. `{APT_HINT}`"
        )
    regular = chosen["DR-Sans"]
    fallbacks: list[str] = []
    fallback_files: list[str] = []
    for name, cands in _FALLBACKS.items():
        path = find_font_file(cands)
        if path is not None and str(path) not in files and register_file(name, path):
            fallbacks.append(name)
            files.append(str(path))
            fallback_files.append(str(path))
    mono = chosen.get("DR-Mono", regular)
    return FontSet(
        regular=regular,
        bold=chosen.get("DR-Sans-Bold", regular),
        italic=chosen.get("DR-Sans-Italic", regular),
        bold_italic=chosen.get("DR-Sans-BoldItalic", chosen.get("DR-Sans-Bold", regular)),
        mono=mono,
        mono_bold=chosen.get("DR-Mono-Bold", mono),
        fallbacks=tuple(fallbacks),
        files=tuple(files),
        fallback_files=tuple(fallback_files),
    )


def has_glyph(font_name: str, ch: str) -> bool:
    """Whether the registered TrueType font ``font_name`` maps ``ch`` to a glyph."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    cmap: dict[int, int] = getattr(face, "charToGlyph", {}) or {}
    return cmap.get(ord(ch), 0) != 0


# Joiners steer shaping (Persian, Indic, emoji sequences): they go to HarfBuzz, which
# hides them, instead of being dropped like other format characters.
JOINERS = "\u200c\u200d"


def _invisible(ch: str) -> bool:
    cp = ord(ch)
    # Variation selectors and format controls (bidi marks, BOM, tags) have no glyph
    # by design; drawing a replacement for them would add noise, not information.
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Cf", "Cc") and ch not in JOINERS


def _chain(primary: str, ch: str) -> Iterator[str]:
    """The fonts to try for ``ch``, in order. Lazily: a fallback's bold twin is its whole
    file parsed again (WenQuanYi 5 MB, Symbola 3 MB, 0.1 s), made only when the fonts
    before it lack the char, not for every letter of a bold title."""
    fs = font_set()
    bold = fs.is_bold(primary)
    family = family_for(ch)
    if family is not None:
        font = family_font(family, bold)
        if font:
            yield font
    yield from (primary, fs.bold if bold else fs.regular, fs.regular)
    for name, path in zip(fs.fallbacks, fs.fallback_files, strict=False):
        twin = synthetic_bold(path) if bold else None
        yield twin or name


@cache
def _resolve(primary: str, ch: str) -> tuple[str, str]:
    if unicodedata.category(ch) == "Cs":  # lone surrogate: not encodable, show replacement
        ch = REPLACEMENT
    # The regular face comes early so e.g. Hebrew inside inline code still uses one font.
    for name in _chain(primary, ch):
        if ch in JOINERS or has_glyph(name, ch):
            return name, ch
    for name in _chain(primary, ch):
        if has_glyph(name, REPLACEMENT):
            return name, REPLACEMENT
    return font_set().regular, "?"


@cache  # called for every character of the report
def resolve_char(primary: str, ch: str) -> tuple[str, str] | None:
    """Pick the font that draws ``ch`` (primary first), or a visible replacement.

    Returns:
        ``(font_name, char_to_draw)``, or None for invisible format characters.
    """
    if ch == " ":
        return primary, ch
    if _invisible(ch):
        return None
    return _resolve(primary, ch)

