"""Inline spans -> reportlab paragraph markup, with escaping, font fallback and bidi.

Every piece of user text goes through :func:`xml_escape` before it reaches reportlab's
markup parser, so ``<para>``, ``</b>`` or ``&amp;`` in a report are shown literally.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.colors import toColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from durable_research.document.render import (
    DISPUTED_LABEL,
    CheckMark,
    Citation,
    Code,
    Emphasis,
    FootnoteRef,
    Inline,
    LineBreak,
    Link,
    Strike,
    Strong,
    Text,
    footnote_anchor,
    ref_anchor,
)
from durable_research.layout.bidi import base_is_rtl, has_rtl, visual_line
from durable_research.layout.fonts import JOINERS, FontSet, has_glyph, resolve_char
from durable_research.layout.linebreak import break_lines, is_wide
from durable_research.layout.wordbreak import needs_dictionary

LINK_COLOR = "#1a4f9c"
CODE_BG = "#eeeeee"
NOTE_COLOR = "#777777"
NOTE_SIZE = 8
Run = tuple[str, "RunStyle"]


def _parsed_once(*hex_colors: str) -> None:
    """Have reportlab's markup parser find the colours of our tags by name. Its
    ``toColor`` reads "#rrggbb" only after trying it as CSS, as a Python literal and as
    an expression (an exception each: 14 us a tag, 4 % of a deep report's PDF) and makes
    a new Color each time; a name in its extra namespace is one lookup, and the one
    object makes the fragments' colours compare by identity. The value it parsed."""
    for value in hex_colors:
        toColor.extraColorsNS.setdefault(value, toColor(value))


_parsed_once(LINK_COLOR, CODE_BG, NOTE_COLOR)


@dataclass(frozen=True)
class RunStyle:
    """Formatting of a run of characters."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None
    # Small grey text, e.g. the checker's "[unverified]" marker.
    note: bool = False
    # Raised and small: footnote numbers.
    sup: bool = False


def xml_escape(text: str) -> str:
    """Escape text for reportlab's markup parser (``&``, ``<``, ``>`` and quotes)."""
    return escape(text, {'"': "&quot;", "'": "&#39;"})


SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")


def flatten(inlines: Sequence[Inline], style: RunStyle = RunStyle()) -> list[Run]:
    """Flatten nested spans into ``(text, style)`` runs; hard breaks become ``"\\n"``."""
    out: list[Run] = []
    for it in inlines:
        if isinstance(it, Text):
            out.append((it.text.replace("\t", "    ").replace("\n", " "), style))
        elif isinstance(it, Code):
            out.append((it.text.replace("\n", " "), replace(style, code=True)))
        elif isinstance(it, LineBreak):
            out.append(("\n", style))
        elif isinstance(it, Strong):
            out.extend(flatten(it.children, replace(style, bold=True)))
        elif isinstance(it, Emphasis):
            out.extend(flatten(it.children, replace(style, italic=True)))
        elif isinstance(it, Strike):
            out.extend(flatten(it.children, replace(style, strike=True)))
        elif isinstance(it, Link):
            # Live links only for web and mail: a PDF viewer would follow smb:, file:,
            # ms-msdt: or GoToR targets to local files. "#x" links were resolved by
            # render.build_document to anchors that exist (an undefined named
            # destination would make reportlab fail).
            ok = it.href.startswith("#") or it.href.lower().startswith(SAFE_LINK_SCHEMES)
            href = it.href if ok else None
            out.extend(flatten(it.children, replace(style, href=href)))
        elif isinstance(it, Citation):
            # Citations exist only for numbers with a reference entry, which carries
            # the matching <a name> anchor, so this internal link always resolves.
            out.append((str(it.n), replace(style, href="#" + ref_anchor(it.n))))
        elif isinstance(it, CheckMark):
            # A dispute is news the reader must not miss; "unverified" is a caution.
            bold = it.label == DISPUTED_LABEL
            out.append((it.label, replace(style, italic=True, note=True, bold=bold)))
        elif isinstance(it, FootnoteRef):
            out.append((str(it.n), replace(style, href="#" + footnote_anchor(it.n), sup=True)))
    return out


def _wrap_tags(body: str, font: str, style: RunStyle, plain: str = "") -> str:
    # No face for text in the paragraph's own font: reportlab's parser starts from it, and
    # a deep report's cells and references were mostly such tags (13 % of its PDF's time).
    seg = body if font == plain else f'<font face="{font}">{body}</font>'
    if style.code:
        seg = f'<font backColor="{CODE_BG}">{seg}</font>'
    if style.note:
        seg = f'<font size="{NOTE_SIZE}" color="{NOTE_COLOR}">{seg}</font>'
    if style.strike:
        seg = f"<strike>{seg}</strike>"
    if style.sup:
        seg = f"<super>{seg}</super>"
    if style.href and style.href.startswith("#"):
        # Internal (citation) links: coloured only, underlining every "[1]" is noisy.
        seg = f'<a href="{xml_escape(style.href)}" color="{LINK_COLOR}">{seg}</a>'
    elif style.href:
        seg = f'<a href="{xml_escape(style.href)}" color="{LINK_COLOR}"><u>{seg}</u></a>'
    return seg


def styled_chars(runs: Iterable[Run], fonts: FontSet) -> list[tuple[str, str, RunStyle]]:
    """Resolve every character to ``(drawn_char, font, style)``; invisible chars vanish."""
    return [(ch, font, style) for text, font, style in styled_chunks(runs, fonts)
            for ch in text]


def styled_chunks(runs: Iterable[Run], fonts: FontSet) -> list[tuple[str, str, RunStyle]]:
    """:func:`styled_chars` in pieces: ``(drawn_text, font, style)``, a newline a piece of
    its own; text its primary font draws as it is stays whole (the markup of a deep
    report's 660 paragraphs made a tuple per char, then joined them again: 7 % of its PDF)."""
    out: list[tuple[str, str, RunStyle]] = []
    for text, style in runs:
        primary = fonts.primary(style.bold, style.italic, style.code)
        if text.isascii() and _drawn_as_is(primary).issuperset(text):
            # The common case (English text): every char is drawn as it is by the primary
            # font; one step instead of a lookup per char (a third of the story's time).
            for i, line in enumerate(text.split("\n")):
                if i:
                    out.append(("\n", primary, style))
                if line:
                    out.append((line, primary, style))
            continue
        each_char(text, primary, style, out)
    return out


def each_char(text: str, primary: str, style: RunStyle,
              out: list[tuple[str, str, RunStyle]]) -> None:
    """Append each char of ``text`` to ``out`` resolved on its own: ``(drawn_char, font,
    style)``; invisible chars vanish."""
    for ch in text:
        if ch == "\n":
            out.append((ch, primary, style))
            continue
        res = resolve_char(primary, ch)
        if res is None:
            continue
        font, drawn = res
        # A mark or joiner stays in its base's font, or HarfBuzz cannot attach it.
        if (out and out[-1][1] != font and _is_mark(ch)
                and (ch in JOINERS or has_glyph(out[-1][1], ch))):
            font = out[-1][1]
        out.append((drawn, font, style))


@cache
def _drawn_as_is(primary: str) -> frozenset[str]:
    """The ASCII characters ``styled_chars`` keeps unchanged in ``primary``: no mark, no
    joiner, no invisible char among them, and the newline, which it keeps as well."""
    printable = (chr(c) for c in range(0x20, 0x7F))
    return frozenset(["\n", *(c for c in printable if resolve_char(primary, c) == (primary, c))])


def _is_mark(ch: str) -> bool:
    return ch in JOINERS or unicodedata.category(ch)[0] == "M"


def group_markup(chars: Iterable[tuple[str, str, RunStyle]], plain: str = "") -> str:
    """Markup of resolved chars (or :func:`styled_chunks`' pieces): one span per run of one
    font and style; ``plain`` is the font of the paragraph's style (its text needs no face)."""
    parts: list[str] = []
    key: tuple[str, RunStyle] | None = None
    buf: list[str] = []
    for ch, font, style in chars:
        if ch == "\n":
            if buf and key:
                parts.append(_wrap_tags(xml_escape("".join(buf)), *key, plain))
            parts.append("<br/>")
            key, buf = None, []
            continue
        if (font, style) != key and buf and key:
            parts.append(_wrap_tags(xml_escape("".join(buf)), *key, plain))
            buf = []
        key = (font, style)
        buf.append(ch)
    if buf and key:
        parts.append(_wrap_tags(xml_escape("".join(buf)), *key, plain))
    return "".join(parts)


def runs_markup(runs: Iterable[Run], fonts: FontSet, plain: str = "") -> str:
    """Markup for left-to-right text whose line breaking reportlab may do itself, in a
    paragraph whose style's font is ``plain``."""
    return group_markup(styled_chunks(runs, fonts), plain)


def needs_manual_wrap(runs: Iterable[Run]) -> bool:
    """RTL text (reordered per line), CJK (breaks between ideographs), Thai and the like."""
    text = "".join(t for t, _ in runs)
    if text.isascii():  # none of them: no need to look at each char
        return False
    # Scripts written without spaces: reportlab would break them only at spaces.
    return has_rtl(text) or needs_dictionary(text) or any(is_wide(c) for c in text)


@cache
def char_width(ch: str, font: str, size: float) -> float:
    """Advance width of one char in points (cached: wrapping measures every char)."""
    return float(stringWidth(ch, font, size))


def wrapped_markup(runs: Sequence[Run], fonts: FontSet, width: float, size: float,
                   plain: str = "") -> tuple[str, bool]:
    """Wrap ``runs`` to ``width`` ourselves and reorder each line for display.

    Returns:
        ``(markup, rtl)``: lines joined by ``<br/>`` in visual order, and whether the
        paragraph direction is right-to-left (so the caller right-aligns it).
    """
    rtl = base_is_rtl("".join(t for t, _ in runs))
    out: list[str] = []
    for line in break_lines(styled_chars(runs, fonts), width * 0.98, size):
        while line and line[-1][0] == " ":
            line.pop()
        out.append(group_markup(visual_line(line, rtl), plain))
    return "<br/>".join(out), rtl
