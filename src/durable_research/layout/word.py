"""Word output (.docx): the document model written with python-docx.

The same model the HTML and PDF read (``document.render.build_document``), so the three
agree: headings (Word's "Heading n" styles, so the navigation pane lists them), spans,
links, tables, code, the References and "About this report" sections. Citations link
to their reference entry and ``[^n]`` notes to the endnotes below the body, through
bookmarks, as in the HTML. List markers are written as text with a hanging indent:
Word's list styles share one numbering across lists (a second list would go on at 4),
and a numbering definition per list is much more XML for the same look.

Right-to-left paragraphs get ``w:bidi`` and their right-to-left runs ``w:rtl``; runs
in complex and East Asian scripts carry their language (:mod:`word_xml`), so Word and
LibreOffice shape, order and spell-check them as they should.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from durable_research.document.mdparse import table_note
from durable_research.document.render import (
    Block,
    BlockQuote,
    CodeBlock,
    Document,
    Footnotes,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    ReferenceList,
    Rule,
    Strong,
    Table,
    Text,
    footnote_anchor,
    plain_text,
)
from durable_research.layout.direction import base_is_rtl
from durable_research.layout.word_inline import CODE_FONT, InlineWriter
from durable_research.layout.word_xml import (
    add_bookmark,
    border,
    set_bidi,
    set_table_bidi,
    shade,
    shade_cell,
    xml_text,
)

INDENT = Cm(0.75)
# Deeper lists and quotes keep their markers but stop indenting (the page has a width).
MAX_INDENT_DEPTH = 6
BULLETS = ("•", "◦", "▪")
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT}
_GREY, _BLUE, _HEADER_FILL, _CODE_FILL = "999999", "1A4F9C", "E8EEF7", "F5F5F5"


@dataclass
class _Writer:
    doc: WordDocument
    inline: InlineWriter = field(init=False)

    def __post_init__(self) -> None:
        self.inline = InlineWriter(self.doc)

    # ---- paragraphs -----------------------------------------------------------------
    def para(self, container: WordDocument | _Cell, inlines: Sequence[Inline] = (),
             style: str | None = None, indent: int = 0) -> WordParagraph:
        """A paragraph of ``inlines``: right-to-left when its text starts so."""
        p = container.add_paragraph(style=style)
        self.inline.write(p, inlines)
        if base_is_rtl(plain_text(tuple(inlines))):
            set_bidi(p)
        if indent:
            p.paragraph_format.left_indent = INDENT * min(indent, MAX_INDENT_DEPTH)
        return p

    def blocks(self, blocks: Sequence[Block], container: WordDocument | _Cell,
               depth: int = 0, style: str | None = None) -> None:
        for b in blocks:
            if isinstance(b, Heading):
                p = self.para(container, b.inlines, f"Heading {min(max(b.level, 1), 6)}")
                if b.anchor:
                    add_bookmark(p, b.anchor, self.inline.next_id())
            elif isinstance(b, Paragraph):
                self.para(container, b.inlines, style, depth)
            elif isinstance(b, ListBlock):
                self.list(b, container, depth, style)
            elif isinstance(b, BlockQuote):
                self.blocks(b.blocks, container, depth + 1, "Quote")
            elif isinstance(b, CodeBlock):
                self.code(b, container, depth)
            elif isinstance(b, Table):
                self.table(b, container)
            elif isinstance(b, ReferenceList):
                for e in b.entries:
                    p = self.para(container, (Text(f"{e.n}. "), *e.inlines))
                    self.hang(p, depth)
                    if e.anchor:
                        add_bookmark(p, e.anchor, self.inline.next_id())
            elif isinstance(b, Footnotes):
                self.notes(b, container)
            elif isinstance(b, Rule):
                border(container.add_paragraph(), "bottom", _GREY)

    def hang(self, p: WordParagraph, depth: int) -> None:
        """Indent ``p`` one level deeper than ``depth``, its first line (marker) hanging."""
        fmt = p.paragraph_format
        fmt.left_indent = INDENT * (min(depth, MAX_INDENT_DEPTH) + 1)
        fmt.first_line_indent = -INDENT
        fmt.tab_stops.add_tab_stop(fmt.left_indent)
        fmt.space_after = Pt(3)

    def list(self, b: ListBlock, container: WordDocument | _Cell, depth: int,
             style: str | None) -> None:
        for n, item in enumerate(b.items, start=b.start):
            marker = f"{n}.\t" if b.ordered else f"{BULLETS[depth % len(BULLETS)]}\t"
            first, rest = (item[0], item[1:]) if item else (Paragraph(()), ())
            if isinstance(first, Paragraph):
                self.hang(self.para(container, (Text(marker), *first.inlines), style), depth)
            else:  # an item that starts with a list, a table...: the marker on its own line
                self.hang(self.para(container, (Text(marker),), style), depth)
                rest = item
            self.blocks(rest, container, depth + 1, style)

    def code(self, b: CodeBlock, container: WordDocument | _Cell, depth: int) -> None:
        p = container.add_paragraph()
        run = p.add_run(self.inline.clean(b.text))  # "\n" and "\t" become breaks and tabs
        run.font.name = CODE_FONT
        run.font.size = Pt(9)
        shade(p, _CODE_FILL)
        if depth:
            p.paragraph_format.left_indent = INDENT * min(depth, MAX_INDENT_DEPTH)

    def table(self, b: Table, container: WordDocument | _Cell) -> None:
        width = max([len(b.header), *(len(r) for r in b.rows)], default=0)
        if not width:
            return
        t = container.add_table(rows=1 + len(b.rows), cols=width)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        # The rows' elements, not ``t.rows[r].cells``: python-docx works out every cell of
        # the table for each of those, so a 1,000-row table took 10 s, 5,000 rows 206 s.
        if base_is_rtl(" ".join(plain_text(c) for c in b.header)):
            set_table_bidi(t._tbl)  # noqa: SLF001 - python-docx's element, as in word_xml
        trs = t._tbl.tr_lst  # noqa: SLF001 - as above
        for r, (row, tr) in enumerate(zip((b.header, *b.rows), trs, strict=True)):
            for c, tc in enumerate(tr.tc_lst):
                cell = _Cell(tc, t)
                spans = row[c] if c < len(row) else ()
                p = cell.paragraphs[0]
                self.inline.write(p, spans, bold=r == 0)
                if base_is_rtl(plain_text(spans)):
                    set_bidi(p)
                elif c < len(b.aligns) and b.aligns[c] != "left":  # left: the default
                    p.alignment = _ALIGN[b.aligns[c]]
                if r == 0:
                    shade_cell(tc, _HEADER_FILL)
        note = table_note(len(b.rows), b.omitted)
        if note:
            self.para(container, (Text(note),), "Caption")

    def notes(self, b: Footnotes, container: WordDocument | _Cell) -> None:
        border(container.add_paragraph(), "bottom", _GREY)
        for note in b.notes:
            first, rest = (note.blocks[0], note.blocks[1:]) if note.blocks else (None, ())
            spans = first.inlines if isinstance(first, Paragraph) else ()
            p = self.para(container, (Text(f"{note.n}. "), *spans))
            self.hang(p, 0)
            add_bookmark(p, footnote_anchor(note.n), self.inline.next_id())
            self.blocks(rest if isinstance(first, Paragraph) else note.blocks, container, 1)


def _title(w: _Writer, doc: Document) -> None:
    t = doc.title
    w.para(w.doc, (Text(t.title),), "Title")
    if t.question:
        w.para(w.doc, (_label("Question: "), Text(t.question)))
    w.para(w.doc, (_label("Date: "), Text(t.date or "unknown"), _label("   Model: "),
                   Text(t.model or "unknown")))
    border(w.doc.add_paragraph(), "bottom", _BLUE, 12)


def _label(text: str) -> Inline:
    return Strong((Text(text),))


def render_document_docx(doc: Document) -> bytes:
    """Lay out a document model as the bytes of a .docx file."""
    word = docx.Document()
    props = word.core_properties
    props.title = xml_text(" ".join(doc.title.title.split()))[:250]
    props.subject = xml_text(" ".join(doc.title.question.split()))[:250]
    props.author = "durable-research"
    writer = _Writer(word)
    _title(writer, doc)
    writer.blocks(doc.blocks, word)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()
