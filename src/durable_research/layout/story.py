"""Document model -> list of platypus flowables (the PDF "story")."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    ListFlowable,
    ListItem,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from durable_research.document.render import (
    Block,
    BlockQuote,
    CodeBlock,
    Document,
    Footnotes,
    Heading,
    ListBlock,
    Paragraph,
    ReferenceList,
    Rule,
    Table,
    Text,
    plain_text,
)
from durable_research.layout.bidi import base_is_rtl
from durable_research.layout.codeblock import code_paragraph
from durable_research.layout.flowables import Deferred
from durable_research.layout.fonts import FontSet, font_set
from durable_research.layout.inline import (
    Run,
    RunStyle,
    flatten,
)
from durable_research.layout.notes import footnote_list
from durable_research.layout.paragraphs import Styles, make_styles, para, replace_style
from durable_research.layout.references import reference_list
from durable_research.layout.tables import bounded, note_paragraph, table_flowable

BULLETS = ("•", "◦", "▪")
# Deeper nesting keeps its bullets but stops indenting, so text never runs out of width.
MAX_INDENT_DEPTH = 6
MAX_QUOTE_DEPTH = 6
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def _code(block: CodeBlock, st: Styles, fs: FontSet) -> Flowable:
    def build(width: float) -> Flowable:
        return code_paragraph(block.text, st.code, fs, max(width - 12, 20.0))

    def boxed(width: float) -> Flowable:
        t = RLTable([[build(width)]], colWidths=[width], splitInRow=1)
        t.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f5f5f5")),
            ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#cccccc")),
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]))
        return t

    return Deferred(boxed, 2, 8)


def _table(block: Table, st: Styles, fs: FontSet) -> list[Flowable]:
    shown, note = bounded(block)
    out = [table_flowable(shown, st, fs, lambda code: _code(code, st, fs))]
    return out + ([note_paragraph(note, st, fs)] if note else [])


def _quote(block: BlockQuote, st: Styles, fs: FontSet, depth: int, quotes: int) -> Flowable:
    quoted = replace_style(st.body, textColor=colors.HexColor("#3a3a3a"))
    kids = blocks_to_flowables(block.blocks, st, fs, depth, quoted, quotes + 1) or [
        Spacer(1, 1)]

    def build(width: float) -> Flowable:
        t = RLTable([[k] for k in kids], colWidths=[width], splitInRow=1)
        t.setStyle(TableStyle([
            ("LINEBEFORE", (0, 0), (0, -1), 2.5, colors.HexColor("#9aaccc")),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]))
        return t

    return Deferred(build, 2, 8)


def _list(block: ListBlock, st: Styles, fs: FontSet, depth: int, body: ParagraphStyle) -> Flowable:
    items = []
    for blocks in block.items:
        kids = blocks_to_flowables(blocks, st, fs, depth + 1, replace_style(body, spaceAfter=2))
        items.append(ListItem(kids or [Spacer(1, body.leading)]))
    last = block.start + max(len(block.items) - 1, 0)
    indent = 0 if depth >= MAX_INDENT_DEPTH else max(18, 7 * len(str(last)) + 10)
    # Bullets and numbers go at the start side of the text: the right for RTL lists.
    rtl = base_is_rtl(" ".join(_block_text(b) for item in block.items for b in item[:1]))
    common = dict(leftIndent=0 if rtl else indent, rightIndent=indent if rtl else 0,
                  bulletDir="rtl" if rtl else "ltr", bulletFontName=fs.regular,
                  bulletFontSize=body.fontSize, spaceAfter=4, bulletDedent="auto")
    if block.ordered:
        # "1." in a right-to-left line reads (and is drawn) ".1".
        return ListFlowable(items, bulletType="1", start=str(block.start),
                            bulletFormat=".%s" if rtl else "%s.", **common)
    return ListFlowable(items, bulletType="bullet", start=BULLETS[depth % len(BULLETS)], **common)


def blocks_to_flowables(
    blocks: Sequence[Block], st: Styles, fs: FontSet, depth: int = 0,
    body: ParagraphStyle | None = None, quotes: int = 0,
) -> list[Flowable]:
    """Lay out blocks; ``depth`` counts list nesting, ``quotes`` quote nesting."""
    body = body or st.body
    out: list[Flowable] = []
    for b in blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 6)
            f = para(flatten(b.inlines, RunStyle(bold=True)), st.headings[level - 1], fs,
                     anchor=b.anchor)
            f._dr_outline = (plain_text(b.inlines), level)  # noqa: SLF001 - our outline mark
            out.append(f)
        elif isinstance(b, Paragraph):
            out.append(para(flatten(b.inlines), body, fs))
        elif isinstance(b, ListBlock):
            out.append(_list(b, st, fs, depth, body))
        elif isinstance(b, BlockQuote):
            if quotes >= MAX_QUOTE_DEPTH:
                # Deeper quotes join the enclosing one: each level is a nested table,
                # which costs width and (when split across pages) much layout time.
                out.extend(blocks_to_flowables(b.blocks, st, fs, depth, body, quotes))
            else:
                out.append(_quote(b, st, fs, depth, quotes))
        elif isinstance(b, CodeBlock):
            out.append(_code(b, st, fs))
        elif isinstance(b, Table):
            out.extend(_table(b, st, fs))
        elif isinstance(b, ReferenceList):
            out.append(reference_list(b, fs, body))
        elif isinstance(b, Footnotes):
            out.extend(footnote_list(b, st, fs, body, lambda bs, sty: blocks_to_flowables(
                bs, st, fs, depth, sty)))
        elif isinstance(b, Rule):
            out.append(HRFlowable(width="100%", thickness=0.7, color=colors.HexColor("#999999"),
                                  spaceBefore=6, spaceAfter=8))
    return out


def title_flowables(doc: Document, st: Styles, fs: FontSet) -> list[Flowable]:
    """Title, question, date and model at the top of the first page."""
    t = doc.title
    title = para([(t.title, RunStyle(bold=True))], st.title, fs)
    title._dr_outline = (t.title, 0)  # noqa: SLF001 - our outline mark
    out: list[Flowable] = [title]
    if t.question:
        out.append(para([("Question: ", RunStyle(bold=True)), (t.question, RunStyle())],
                        st.meta, fs))
    meta: list[Run] = [("Date: ", RunStyle(bold=True)), (t.date or "unknown", RunStyle()),
                       ("   Model: ", RunStyle(bold=True)), (t.model or "unknown", RunStyle())]
    out.append(para(meta, st.meta, fs))
    out.append(HRFlowable(width="100%", thickness=1.2, color=colors.HexColor("#1a4f9c"),
                          spaceBefore=4, spaceAfter=10))
    return out


def build_story(doc: Document) -> list[Flowable]:
    """The whole PDF story for a document."""
    fs = font_set()
    st = make_styles(fs)
    return title_flowables(doc, st, fs) + blocks_to_flowables(doc.blocks, st, fs)


def plain_story(doc: Document) -> list[Flowable]:
    """A simplified story (paragraphs only) used if the rich layout cannot be placed."""
    fs = font_set()
    st = make_styles(fs)
    out = title_flowables(doc, st, fs)
    for b in doc.blocks:
        text = _block_text(b)
        for chunk in text.split("\n"):
            out.append(para(flatten((Text(chunk),)), st.body, fs))
    return out


def _block_text(b: Block) -> str:
    if isinstance(b, Heading | Paragraph):
        return plain_text(b.inlines)
    if isinstance(b, CodeBlock):
        return b.text
    if isinstance(b, ListBlock):
        return "\n".join(_block_text(x) for item in b.items for x in item)
    if isinstance(b, BlockQuote):
        return "\n".join(_block_text(x) for x in b.blocks)
    if isinstance(b, ReferenceList):
        return "\n".join(f"{e.n}. {plain_text(e.inlines)}" for e in b.entries)
    if isinstance(b, Footnotes):
        return "\n".join(f"{n.n}. " + "\n".join(_block_text(x) for x in n.blocks)
                         for n in b.notes)
    if isinstance(b, Table):
        rows = (b.header, *b.rows)
        return "\n".join(" | ".join(plain_text(c) for c in r) for r in rows)
    return "-" * 20
