"""Paragraph styles and the paragraph flowable shared by all parts of the PDF story."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as RLParagraph

# Install the exception-free sameFrag and the width cache: line breaking asks both for
# every word.
from durable_research.layout import fragments, widths  # noqa: F401
from durable_research.layout.flowables import Deferred
from durable_research.layout.fonts import FontSet
from durable_research.layout.inline import (
    Run,
    needs_manual_wrap,
    runs_markup,
    wrapped_markup,
    xml_escape,
)
from durable_research.layout.shaping import needs_shaping


class Paragraph(RLParagraph):  # type: ignore[misc]  # reportlab is untyped (Any)
    """A reportlab paragraph that breaks its lines once per width.

    reportlab wraps a flowable each time it asks for its size: a table's cells when it
    measures its rows, again in each part it splits into at a page end, the frame's
    fits... A deep report's paragraphs were wrapped 3 times each on average, the same
    lines broken again at the same width (``breakLines``: a third of the PDF's CPU,
    profiled on a deep report of 8 sections and a 245-row table). The lines depend on
    the width alone (the height is only what is left of the frame), and ``split`` and
    ``draw`` read the last wrap's lines, so the last result is kept and returned.
    """

    # (width asked, width, height, the lines): valid while ``blPara`` is those lines
    # (``split`` deletes it when the paragraph moves on to the next frame).
    _wrapped: tuple[float, float, float, object] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab API
        last = self._wrapped
        if last is not None and last[0] == availWidth and \
                getattr(self, "blPara", None) is last[3]:
            return last[1], last[2]
        width, height = super().wrap(availWidth, availHeight)
        lines = getattr(self, "blPara", None)
        self._wrapped = None if lines is None else (availWidth, width, height, lines)
        return width, height


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of the report."""

    body: ParagraphStyle
    headings: tuple[ParagraphStyle, ...]
    title: ParagraphStyle
    meta: ParagraphStyle
    code: ParagraphStyle
    cell: ParagraphStyle


def make_styles(fs: FontSet) -> Styles:
    """Build the paragraph styles for the registered fonts."""
    body = ParagraphStyle(
        "body", fontName=fs.regular, fontSize=10.5, leading=14.5, spaceAfter=6,
        splitLongWords=1,
    )
    sizes = (20.0, 16.0, 13.5, 12.0, 11.0, 10.5)
    heads = tuple(
        ParagraphStyle(
            f"h{i + 1}", parent=body, fontName=fs.bold, fontSize=s, leading=s * 1.25,
            spaceBefore=s * 0.7, spaceAfter=s * 0.35, keepWithNext=1,
        )
        for i, s in enumerate(sizes)
    )
    return Styles(
        body=body,
        headings=heads,
        title=ParagraphStyle("title", parent=heads[0], fontSize=24, leading=29, spaceBefore=0),
        meta=ParagraphStyle("meta", parent=body, textColor=colors.HexColor("#444444")),
        code=ParagraphStyle("code", parent=body, fontName=fs.mono, fontSize=8.8, leading=11.2),
        cell=ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12.5, spaceAfter=0),
    )


def para(
    runs: Sequence[Run], style: ParagraphStyle, fs: FontSet, anchor: str = ""
) -> Flowable:
    """One paragraph; RTL/CJK text is wrapped by us once the width is known.

    ``anchor`` names a PDF destination at the paragraph's start (the target of
    internal links such as citations); it must be a trusted name like ``ref-3``.
    """
    lead = f'<a name="{xml_escape(anchor)}"/>' if anchor else ""
    if needs_shaping("".join(t for t, _ in runs)):
        # Only then: shaping sends every word through HarfBuzz, which costs time.
        style = replace_style(style, shaping=1)
    if not needs_manual_wrap(runs):
        return Paragraph(lead + (runs_markup(runs, fs, style.fontName) or "&nbsp;"), style)

    def build(width: float) -> Flowable:
        markup, rtl = wrapped_markup(runs, fs, max(width, 1.0), style.fontSize,
                                     style.fontName)
        align = TA_RIGHT if rtl and style.alignment == TA_LEFT else style.alignment
        # Lines were broken (and reordered) by us: reportlab must not split them again.
        return Paragraph(lead + (markup or "&nbsp;"),
                           replace_style(style, alignment=align, splitLongWords=0))

    keep = bool(getattr(style, "keepWithNext", False))
    return Deferred(build, style.spaceBefore, style.spaceAfter, keep)


def replace_style(style: ParagraphStyle, **kw: object) -> ParagraphStyle:
    """Copy a ParagraphStyle with some attributes changed."""
    return ParagraphStyle(style.name + "+", parent=style, **kw)
