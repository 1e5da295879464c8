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

from reportlab.pdfbase.pdfmetrics import stringWidth

from durable_research.layout.bidi import base_is_rtl, has_rtl, shape_arabic, visual_order
from durable_research.layout.fonts import FontSet, resolve_char
from durable_research.render import (
    UNVERIFIED_LABEL,
    Citation,
    Code,
    Emphasis,
    Inline,
    LineBreak,
    Link,
    Strike,
    Strong,
    Text,
    Unverified,
    ref_anchor,
)

LINK_COLOR = "#1a4f9c"
CODE_BG = "#eeeeee"
NOTE_COLOR = "#777777"
NOTE_SIZE = 8
Run = tuple[str, "RunStyle"]


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
            # A "#fragment" from the body has no named destination in the PDF, and
            # reportlab refuses to save a link to an undefined one: keep it as text.
            # Live links only for web and mail: a PDF viewer would follow smb:, file:,
            # ms-msdt: or GoToR targets to local files. (#anchors: headings have no
            # destinations in the PDF yet, and a dangling one breaks the layout.)
            href = it.href if it.href.lower().startswith(SAFE_LINK_SCHEMES) else None
            out.extend(flatten(it.children, replace(style, href=href)))
        elif isinstance(it, Citation):
            # Citations exist only for numbers with a reference entry, which carries
            # the matching <a name> anchor, so this internal link always resolves.
            out.append((str(it.n), replace(style, href="#" + ref_anchor(it.n))))
        elif isinstance(it, Unverified):
            out.append((UNVERIFIED_LABEL, replace(style, italic=True, note=True)))
    return out


def _wrap_tags(body: str, font: str, style: RunStyle) -> str:
    seg = f'<font face="{font}">{body}</font>'
    if style.code:
        seg = f'<font backColor="{CODE_BG}">{seg}</font>'
    if style.note:
        seg = f'<font size="{NOTE_SIZE}" color="{NOTE_COLOR}">{seg}</font>'
    if style.strike:
        seg = f"<strike>{seg}</strike>"
    if style.href and style.href.startswith("#"):
        # Internal (citation) links: coloured only, underlining every "[1]" is noisy.
        seg = f'<a href="{xml_escape(style.href)}" color="{LINK_COLOR}">{seg}</a>'
    elif style.href:
        seg = f'<a href="{xml_escape(style.href)}" color="{LINK_COLOR}"><u>{seg}</u></a>'
    return seg


def styled_chars(runs: Iterable[Run], fonts: FontSet) -> list[tuple[str, str, RunStyle]]:
    """Resolve every character to ``(drawn_char, font, style)``; invisible chars vanish."""
    out: list[tuple[str, str, RunStyle]] = []
    for text, style in runs:
        primary = fonts.primary(style.bold, style.italic, style.code)
        for ch in text:
            if ch == "\n":
                out.append((ch, primary, style))
                continue
            res = resolve_char(primary, ch)
            if res is not None:
                out.append((res[1], res[0], style))
    return out


def group_markup(chars: Iterable[tuple[str, str, RunStyle]]) -> str:
    parts: list[str] = []
    key: tuple[str, RunStyle] | None = None
    buf: list[str] = []
    for ch, font, style in chars:
        if ch == "\n":
            if buf and key:
                parts.append(_wrap_tags(xml_escape("".join(buf)), *key))
            parts.append("<br/>")
            key, buf = None, []
            continue
        if (font, style) != key and buf and key:
            parts.append(_wrap_tags(xml_escape("".join(buf)), *key))
            buf = []
        key = (font, style)
        buf.append(ch)
    if buf and key:
        parts.append(_wrap_tags(xml_escape("".join(buf)), *key))
    return "".join(parts)


def runs_markup(runs: Iterable[Run], fonts: FontSet) -> str:
    """Markup for left-to-right text whose line breaking reportlab may do itself."""
    return group_markup(styled_chars(runs, fonts))


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def needs_manual_wrap(runs: Iterable[Run]) -> bool:
    """Right-to-left text (reordered per line) and CJK (breaks between any two ideographs)."""
    text = "".join(t for t, _ in runs)
    return has_rtl(text) or any(_is_wide(ch) for ch in text)


@cache
def char_width(ch: str, font: str, size: float) -> float:
    """Advance width of one char in points (cached: wrapping measures every char)."""
    return float(stringWidth(ch, font, size))


def _break_lines(
    chars: list[tuple[str, str, RunStyle]], width: float, size: float
) -> list[list[tuple[str, str, RunStyle]]]:
    # Units are words (text up to and incl. a space) or single wide chars; greedy fill.
    units: list[list[tuple[str, str, RunStyle]]] = []
    cur: list[tuple[str, str, RunStyle]] = []
    for item in chars:
        ch = item[0]
        if ch == "\n" or _is_wide(ch):
            if cur:
                units.append(cur)
            units.append([item])
            cur = []
        else:
            cur.append(item)
            if ch == " ":
                units.append(cur)
                cur = []
    if cur:
        units.append(cur)
    lines: list[list[tuple[str, str, RunStyle]]] = [[]]
    used = 0.0
    for unit in units:
        if unit[0][0] == "\n":
            lines.append([])
            used = 0.0
            continue
        w = sum(char_width(c, f, size) for c, f, _ in unit)
        if used + w > width and lines[-1]:
            lines.append([])
            used = 0.0
        for item in unit:  # a unit longer than a whole line is cut anywhere
            cw = char_width(item[0], item[1], size)
            if used + cw > width and lines[-1]:
                lines.append([])
                used = 0.0
            if item[0] == " " and not lines[-1]:
                continue
            lines[-1].append(item)
            used += cw
    return lines


def wrapped_markup(runs: Sequence[Run], fonts: FontSet, width: float, size: float) -> tuple[
    str, bool
]:
    """Wrap ``runs`` to ``width`` ourselves and reorder each line for display.

    Returns:
        ``(markup, rtl)``: lines joined by ``<br/>`` in visual order, and whether the
        paragraph direction is right-to-left (so the caller right-aligns it).
    """
    shaped = [(shape_arabic(t), s) for t, s in runs]
    rtl = base_is_rtl("".join(t for t, _ in shaped))
    chars = styled_chars(shaped, fonts)
    out: list[str] = []
    for line in _break_lines(chars, width * 0.98, size):
        while line and line[-1][0] == " ":
            line.pop()
        text = "".join(c for c, _, _ in line)
        if has_rtl(text) or rtl:
            order, mirrored = visual_order(text, rtl)
            line = [(mirrored[i], line[i][1], line[i][2]) for i in order]
        out.append(group_markup(line))
    return "<br/>".join(out), rtl
