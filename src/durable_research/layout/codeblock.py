"""Code blocks: hard-wrapped monospace lines, shaped and reordered like body text.

Each source line is cut to the box width first, in logical order, and only then put
in visual order, so a long right-to-left line reads top to bottom like any other.
Spaces become no-break spaces: indentation survives, and reportlab sees each line
as one word that it neither re-wraps nor collapses.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as RLParagraph

from durable_research.layout.bidi import visual_line
from durable_research.layout.fonts import FontSet
from durable_research.layout.inline import RunStyle, group_markup, styled_chars
from durable_research.layout.linebreak import hard_wrap
from durable_research.layout.shaping import needs_shaping

NBSP = "\u00a0"


def code_lines(text: str, fs: FontSet, width: float, size: float) -> list[str]:
    """Markup of each drawn line of ``text`` (tabs expanded, long lines wrapped)."""
    plain = RunStyle()
    lines: list[str] = []
    for raw in text.expandtabs(4).split("\n") or [""]:
        # Code style picks the mono font; the plain style then avoids per-run backColor.
        chars = [(c, f, plain) for c, f, _ in styled_chars([(raw, RunStyle(code=True))], fs)]
        for piece in hard_wrap(chars, width, size):
            drawn = [(NBSP if c == " " else c, f, s) for c, f, s in visual_line(piece, False)]
            lines.append(group_markup(drawn) or NBSP)
    return lines


def code_paragraph(text: str, style: ParagraphStyle, fs: FontSet, width: float) -> Flowable:
    """The text of a code block as one paragraph of ``width`` points."""
    lines = code_lines(text, fs, width, style.fontSize)
    shaped = ParagraphStyle(style.name + "+", parent=style, splitLongWords=0,
                            shaping=int(needs_shaping(text)))
    return RLParagraph("<br/>".join(lines), shaped)
