"""The numbered References list of the PDF story, with a link target on every entry."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, ListFlowable, ListItem

from durable_research.document.render import ReferenceList
from durable_research.layout.fonts import FontSet
from durable_research.layout.inline import flatten
from durable_research.layout.paragraphs import para, replace_style


def reference_list(
    block: ReferenceList, fs: FontSet, body: ParagraphStyle
) -> Flowable:
    """An ordered list whose labels are the reference numbers themselves.

    Numbers are given per item (``value``), not counted, so a gap in the numbering
    can never make a label disagree with the ``[n]`` that points at it. Each entry
    paragraph starts with the named destination its citations link to.
    """
    style = replace_style(body, spaceAfter=3)
    items = [
        ListItem(para(flatten(e.inlines), style, fs, anchor=e.anchor), value=e.n)
        for e in block.entries
    ]
    widest = max((len(str(e.n)) for e in block.entries), default=1)
    return ListFlowable(
        items, bulletType="1", start=str(block.entries[0].n if block.entries else 1),
        bulletFormat="%s.", leftIndent=max(18, 7 * widest + 10), bulletFontName=fs.regular,
        bulletFontSize=body.fontSize, spaceAfter=4, bulletDedent="auto",
    )
