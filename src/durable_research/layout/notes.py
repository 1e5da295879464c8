"""Footnotes of the PDF: endnotes after the body, each a link target of its number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, ListFlowable, ListItem, Spacer
from reportlab.platypus.flowables import AnchorFlowable

from durable_research.document.render import Block, Footnotes, footnote_anchor
from durable_research.layout.fonts import FontSet
from durable_research.layout.paragraphs import Styles, replace_style

# Lays out blocks in a given paragraph style (story.blocks_to_flowables, passed in so
# this module does not import the story).
LayBlocks = Callable[[Sequence[Block], ParagraphStyle], list[Flowable]]


def footnote_list(
    block: Footnotes, st: Styles, fs: FontSet, body: ParagraphStyle, lay: LayBlocks
) -> list[Flowable]:
    """A short rule, then the notes numbered as in the text (``value`` per item)."""
    style = replace_style(body, fontSize=st.cell.fontSize, leading=st.cell.leading,
                          spaceAfter=2)
    items = []
    for note in block.notes:
        # The anchor is the target of the superscript numbers in the text.
        kids = [AnchorFlowable(footnote_anchor(note.n)), *lay(note.blocks, style)]
        items.append(ListItem(kids if len(kids) > 1 else [*kids, Spacer(1, style.leading)],
                              value=note.n))
    widest = max((len(str(n.n)) for n in block.notes), default=1)
    rule = HRFlowable(width="30%", thickness=0.6, color=colors.HexColor("#999999"),
                      hAlign="LEFT", spaceBefore=10, spaceAfter=4)
    notes = ListFlowable(
        items, bulletType="1", start=str(block.notes[0].n if block.notes else 1),
        bulletFormat="%s.", leftIndent=max(16, 6 * widest + 10), bulletFontName=fs.regular,
        bulletFontSize=style.fontSize, spaceAfter=4, bulletDedent="auto",
    )
    return [rule, notes]
