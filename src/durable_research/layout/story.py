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
    XPreformatted,
)
from reportlab.platypus import Table as RLTable

from durable_research.layout.bidi import has_rtl, shape_arabic, visual_order
from durable_research.layout.flowables import Deferred
from durable_research.layout.fonts import FontSet, font_set
from durable_research.layout.inline import (
    Run,
    RunStyle,
    char_width,
    flatten,
    group_markup,
    styled_chars,
)
from durable_research.layout.paragraphs import Styles, make_styles, para, replace_style
from durable_research.layout.references import reference_list
from durable_research.render import (
    Block,
    BlockQuote,
    CodeBlock,
    Document,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    ReferenceList,
    Rule,
    Table,
    Text,
    plain_text,
)

BULLETS = ("•", "◦", "▪")
# Deeper nesting keeps its bullets but stops indenting, so text never runs out of width.
MAX_INDENT_DEPTH = 6
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def _code(block: CodeBlock, st: Styles, fs: FontSet) -> Flowable:
    size = st.code.fontSize
    plain = RunStyle()

    def build(width: float) -> Flowable:
        inner = max(width - 12, 20.0)
        lines: list[str] = []
        for raw in block.text.expandtabs(4).split("\n") or [""]:
            # Code style picks the mono font; the plain style then avoids per-run backColor.
            chars = [
                (c, f, plain)
                for c, f, _ in styled_chars([(shape_arabic(raw), RunStyle(code=True))], fs)
            ]
            if has_rtl(raw):
                text = "".join(c for c, _, _ in chars)
                order, mirrored = visual_order(text, False)
                chars = [(mirrored[i], chars[i][1], chars[i][2]) for i in order]
            cur: list[tuple[str, str, RunStyle]] = []
            used = 0.0
            for item in chars:  # hard-wrap long lines at the right margin
                cw = char_width(item[0], item[1], size)
                if used + cw > inner and cur:
                    lines.append(group_markup(cur))
                    cur, used = [], 0.0
                cur.append(item)
                used += cw
            lines.append(group_markup(cur))
        return XPreformatted("\n".join(lines), st.code)

    def boxed(width: float) -> Flowable:
        t = RLTable([[build(width)]], colWidths=[width], splitInRow=1)
        t.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f5f5f5")),
            ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#cccccc")),
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]))
        return t

    return Deferred(boxed, 2, 8)


def _cell(inlines: tuple[Inline, ...], style: ParagraphStyle, fs: FontSet) -> Flowable:
    return para(flatten(inlines), style, fs)


def _table(block: Table, st: Styles, fs: FontSet) -> Flowable:
    ncols = max([len(block.header), *(len(r) for r in block.rows), 1])

    def row(cells: Sequence[tuple[Inline, ...]], header: bool) -> list[Flowable]:
        out = []
        for i in range(ncols):
            inl = cells[i] if i < len(cells) else ()
            align = _ALIGN[block.aligns[i]] if i < len(block.aligns) else TA_LEFT
            font = fs.bold if header else fs.regular
            style = replace_style(st.cell, alignment=align, fontName=font)
            runs = flatten(inl, RunStyle(bold=header))
            out.append(para(runs, style, fs))
        return out

    # Column shares follow the longest cell text (capped) so wide columns get more room.
    lengths = [1] * ncols
    for cells in (block.header, *block.rows):
        for i, c in enumerate(cells[:ncols]):
            lengths[i] = max(lengths[i], min(len(plain_text(c)), 60))

    def build(width: float) -> Flowable:
        total = sum(lengths)
        floor = width / ncols * 0.4
        raw = [max(width * n / total, floor) for n in lengths]
        scale = width / sum(raw)
        data = [row(block.header, True)] + [row(r, False) for r in block.rows]
        t = RLTable(data, colWidths=[w * scale for w in raw], repeatRows=1, splitInRow=1)
        # Many narrow columns: shrink the padding so cells keep a positive text width.
        pad = max(0.5, min(6.0, width / ncols * 0.12))
        t.setStyle(TableStyle([
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return t

    return Deferred(build, 4, 10)


def _quote(block: BlockQuote, st: Styles, fs: FontSet, depth: int) -> Flowable:
    quoted = replace_style(st.body, textColor=colors.HexColor("#3a3a3a"))
    kids = blocks_to_flowables(block.blocks, st, fs, depth, quoted) or [Spacer(1, 1)]

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
    common = dict(leftIndent=indent, bulletFontName=fs.regular, bulletFontSize=body.fontSize,
                  spaceAfter=4, bulletDedent="auto")
    if block.ordered:
        return ListFlowable(items, bulletType="1", start=str(block.start), bulletFormat="%s.",
                            **common)
    return ListFlowable(items, bulletType="bullet", start=BULLETS[depth % len(BULLETS)], **common)


def blocks_to_flowables(
    blocks: Sequence[Block], st: Styles, fs: FontSet, depth: int = 0,
    body: ParagraphStyle | None = None,
) -> list[Flowable]:
    """Lay out blocks; ``depth`` counts list nesting for bullets and indentation."""
    body = body or st.body
    out: list[Flowable] = []
    for b in blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 6)
            f = para(flatten(b.inlines, RunStyle(bold=True)), st.headings[level - 1], fs)
            f._dr_outline = (plain_text(b.inlines), level)
            out.append(f)
        elif isinstance(b, Paragraph):
            out.append(para(flatten(b.inlines), body, fs))
        elif isinstance(b, ListBlock):
            out.append(_list(b, st, fs, depth, body))
        elif isinstance(b, BlockQuote):
            out.append(_quote(b, st, fs, depth))
        elif isinstance(b, CodeBlock):
            out.append(_code(b, st, fs))
        elif isinstance(b, Table):
            out.append(_table(b, st, fs))
        elif isinstance(b, ReferenceList):
            out.append(reference_list(b, st, fs, body))
        elif isinstance(b, Rule):
            out.append(HRFlowable(width="100%", thickness=0.7, color=colors.HexColor("#999999"),
                                  spaceBefore=6, spaceAfter=8))
    return out


def title_flowables(doc: Document, st: Styles, fs: FontSet) -> list[Flowable]:
    """Title, question, date and model at the top of the first page."""
    t = doc.title
    title = para([(t.title, RunStyle(bold=True))], st.title, fs)
    title._dr_outline = (t.title, 0)
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
    if isinstance(b, Table):
        rows = (b.header, *b.rows)
        return "\n".join(" | ".join(plain_text(c) for c in r) for r in rows)
    return "-" * 20
