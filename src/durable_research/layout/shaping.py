"""HarfBuzz shaping of paragraph words, per font run and per direction run.

reportlab (>= 4.2) shapes each "frag word" with uharfbuzz when a paragraph style has
``shaping=1``, but it shapes the whole word with the *first* fragment's font and lets
HarfBuzz guess one direction for all of it. Our words mix fonts (per-character
fallback puts Devanagari in Noto and the comma after it in DejaVu) and, after our own
per-line bidi reordering, directions. So :func:`shape_frag_word` replaces reportlab's
``shapeFragWord``: it shapes each (font, direction) segment on its own, with the rest
of the run as HarfBuzz context so Arabic joins across a bold/regular boundary.

Right-to-left text arrives in *logical* order between :data:`RTL_START` and
:data:`RTL_END` (placed by :mod:`inline` after line breaking and reordering of runs);
HarfBuzz returns its glyphs in visual order, with marks positioned on their base.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, cast

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import (
    ShapeData,
    ShapedFragWord,
    ShapedStr,
    TTFont,
    makeShapedFragWord,
)
from reportlab.platypus import paragraph as rl_paragraph

from durable_research.layout.actualtext import with_span
from durable_research.layout.direction import has_rtl
from durable_research.layout.pdffont import GLYPH_TEXT, face_key

# Isolates (U+2067 RLI, U+2069 PDI) as in-band markers: fonts.resolve_char drops every
# format character of the input, so these can only come from our own layout code.
RTL_START = "\u2067"
RTL_END = "\u2069"
_MARKERS = RTL_START + RTL_END
# Text that needs HarfBuzz: combining marks, joiners, RTL and the complex scripts from
# Hebrew to Mongolian, Indic extensions and the Arabic/Hebrew presentation forms.
# Latin, Greek, Cyrillic and CJK are drawn well char by char, and skipping them keeps
# English reports as fast as before.
_COMPLEX = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0590-\u1cff\u1dc0-\u1dff\u200c\u200d\u2067\u2069"
    "\u20d0-\u20ff\ua800-\uabff\ufb1d-\ufdff\ufe20-\ufe2f\ufe70-\ufeff]"
)
_FEATURES = {"kern": True, "liga": True}
Glyph = tuple[int, int, int, int, int]  # gid, cluster, x_advance, x_offset, y_offset


def needs_shaping(text: str) -> bool:
    """Whether ``text`` must go through HarfBuzz to be drawn correctly."""
    return _COMPLEX.search(text) is not None


@cache
def _hb_font(font_name: str) -> tuple[TTFont, Any]:
    ttf = pdfmetrics.getFont(font_name)
    # hbFont() also installs ttf.hbAddPrivate, used for glyphs without a code point.
    return ttf, ttf.hbFont(10)


@lru_cache(maxsize=65536)
def shape(font_name: str, context: str, start: int, end: int, rtl: bool) -> tuple[Glyph, ...]:
    """Glyphs (in visual order) for ``context[start:end]`` in one font and direction.

    Positions are in the font's design units; clusters index into ``context``.
    """
    _, font = _hb_font(font_name)
    buf = hb.Buffer()
    buf.add_str(context, start, end - start)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(font, buf, _FEATURES)
    return tuple(
        (i.codepoint, i.cluster, p.x_advance, p.x_offset, p.y_offset)
        for i, p in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    )


def _private_texts(ttf: TTFont, glyphs: tuple[Glyph, ...], context: str, end: int,
                   rtl: bool) -> dict[int, str]:
    """Text for each glyph without a code point: what its cluster's other glyphs miss."""
    bounds = sorted({g[1] for g in glyphs} | {end})
    texts: dict[int, str] = {}
    for cluster in {g[1] for g in glyphs}:
        rest = list(context[cluster:bounds[bounds.index(cluster) + 1]])
        private = [i for i, g in enumerate(glyphs) if g[1] == cluster]
        for i in list(private):
            for cp in ttf.face.glyphToChar.get(glyphs[i][0], ()):
                if chr(cp) in rest:
                    rest.remove(chr(cp))
                    private.remove(i)
                    break
        if private:  # visual order inside RTL, so a reversing reader gets it right
            texts[private[0]] = "".join(reversed(rest) if rtl else rest)
    return texts


def _drawn_char(ttf: TTFont, gid: int, source: str, advance: float) -> str:
    """A code point reportlab draws as glyph ``gid`` (private-use if it has none)."""
    chars = ttf.face.glyphToChar.get(gid)
    if chars:
        return chr(chars[0])
    cp = ttf.hbAddPrivate(_hb_font(ttf.fontName)[1].glyph_to_string(gid), gid, advance)
    # Text extraction and copy/paste get the characters this glyph stands for.
    GLYPH_TEXT.setdefault(face_key(ttf), {}).setdefault(cp, source or "\u200b")
    return chr(cp)


def shaped_text(font_name: str, context: str, start: int, end: int, rtl: bool) -> tuple[
    str, list[ShapeData], float
]:
    """Shape a segment; returns the drawn string, reportlab shape data and width (em/1000)."""
    ttf, _ = _hb_font(font_name)
    glyphs = shape(font_name, context, start, end, rtl)
    texts = _private_texts(ttf, glyphs, context, end, rtl)
    out: list[str] = []
    data: list[ShapeData] = []
    total = 0.0
    for n, (gid, cluster, x_adv, x_off, y_off) in _bases_first(glyphs) if rtl else enumerate(
        glyphs
    ):
        adv = ttf.pdfScale(x_adv)
        ch = _drawn_char(ttf, gid, texts.get(n, ""), adv)
        out.append(ch)
        data.append(ShapeData(cluster, adv, 0, ttf.pdfScale(x_off), ttf.pdfScale(y_off),
                              ttf.face.charWidths.get(ord(ch), ttf.face.defaultWidth)))
        total += adv
    # The glyphs are in visual order: readers get the segment's text from its span.
    return "".join(out), with_span(data, context[start:end], rtl), total


def _bases_first(glyphs: tuple[Glyph, ...]) -> list[tuple[int, Glyph]]:
    """Right-to-left glyphs (with their indices) with each base before its marks.

    HarfBuzz puts a right-to-left letter's marks (harakat: zero advance) just before
    it in visual order; drawn that way, a span of :mod:`actualtext` may start on a
    raised mark, and poppler then takes the span for a line of its own. Drawing the
    base first and shifting each mark back by the base's advance draws the same
    picture (every glyph sits at its pen position plus its offset).
    """
    out: list[tuple[int, Glyph]] = []
    marks: list[tuple[int, Glyph]] = []
    for n, glyph in enumerate(glyphs):
        if glyph[2] == 0:
            marks.append((n, glyph))
            continue
        out.append((n, glyph))
        adv = glyph[2]
        out.extend((m, (g[0], g[1], 0, g[3] - adv, g[4])) for m, g in marks)
        marks = []
    return out + marks


def _segments(pieces: list[tuple[Any, str]]) -> list[tuple[bool, list[tuple[Any, str]]]]:
    """Split fragments at direction markers into runs of ``(rtl, [(frag, text)])``."""
    runs: list[tuple[bool, list[tuple[Any, str]]]] = []
    rtl = False
    for frag, text in pieces:
        for part in re.split(f"([{_MARKERS}])", text):
            if part in (RTL_START, RTL_END):
                rtl = part == RTL_START
                continue
            if not part:
                continue
            if not runs or runs[-1][0] != rtl:
                runs.append((rtl, []))
            runs[-1][1].append((frag, part))
    return runs


def shape_frag_word(
    w: list[Any], features: object = None, force: bool = False  # noqa: ARG001 - reportlab's signature
) -> list[Any]:
    """Drop-in for reportlab's ``shapeFragWord``: ``[width, (frag, text), ...]`` shaped."""
    if isinstance(w, ShapedFragWord):
        # Already shaped: reportlab (untyped) makes ShapedFragWord Any, it is a list subclass.
        return cast("list[Any]", w)
    specials = [p for p in w[1:] if hasattr(p[0], "cbDefn")]
    pieces = [(f, s) for f, s in w[1:] if not hasattr(f, "cbDefn")]
    if not pieces or not needs_shaping("".join(s for _, s in pieces)):
        return w
    out: list[Any] = []
    width = 0.0
    for rtl, run in _segments(pieces):
        context = "".join(s for _, s in run)
        shaped: list[tuple[Any, str]] = []
        pos = 0
        for frag, text in run:
            start, pos = pos, pos + len(text)
            if not isinstance(pdfmetrics.getFont(frag.fontName), TTFont):
                shaped.append((frag, text))
                width += pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize)
                continue
            drawn, data, em = shaped_text(frag.fontName, context, start, pos, rtl)
            shaped.append((frag, ShapedStr(drawn, shapeData=data)))
            width += em * frag.fontSize / 1000
        out.extend(reversed(shaped) if rtl else shaped)
    new: list[Any] = makeShapedFragWord(w)([])
    new[:] = [width, *specials, *out]
    return new


def text_width(text: str, font_name: str, size: float) -> float:
    """Advance width in points of ``text`` in one font, shaped if it needs it."""
    if not needs_shaping(text):
        return float(pdfmetrics.stringWidth(text, font_name, size))
    return _shaped_width(text, font_name) * size / 1000


@lru_cache(maxsize=65536)
def _shaped_width(text: str, font_name: str) -> float:
    ttf, _ = _hb_font(font_name)
    # In its direction, as shape_frag_word draws it: Arabic shaped left to right gets
    # other forms and ligatures, a fifth narrower, and lines broken by that width were
    # broken again by reportlab (a word alone on a line of its own, out of order).
    rtl = has_rtl(text)
    return float(sum(ttf.pdfScale(g[2]) for g in shape(font_name, text, 0, len(text), rtl)))


# reportlab's Paragraph looks the shaper up as a module global of its paragraph module.
rl_paragraph.shapeFragWord = shape_frag_word
