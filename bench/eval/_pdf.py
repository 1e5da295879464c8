"""Print a documentation page (see ``_sqlitepage``) to PDF with reportlab, byte-for-byte stable.

The PDF uses the standard Helvetica and Courier fonts, whose encoding is Windows-1252: a few
symbols the SQLite pages use (arrows, box drawing) have no glyph there and are spelt in ASCII,
as a printout would show them. ``invariant`` fixes the creation date and document id, so
rebuilding the corpus gives the same bytes.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from _sqlitepage import Page
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

_ASCII = {
    "\u2192": "->", "\u2190": "<-", "\u2191": "^", "\u21d2": "=>", "\u2265": ">=",
    "\u2264": "<=", "\u2260": "!=", "\u2011": "-", "\u25ba": ">", "\u25bc": "v",
    "\u2714": "x", "\u2588": "#", "\u2502": "|", "\u2500": "-", "\u03c0": "pi",
    "\u2002": " ", "\u2007": " ",
}  # fmt: skip


def printable(text: str) -> str:
    """The text with every character the standard PDF fonts cannot show replaced."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            # Box-drawing corners and crossings (U+250x-U+257x) look like "+" on paper.
            out.append(_ASCII.get(char, "+" if "\u2500" <= char <= "\u257f" else "?"))
    return "".join(out)


def _styles() -> StyleSheet1:
    styles = getSampleStyleSheet()
    styles.add(ParagraphStyle("Cell", parent=styles["BodyText"], fontSize=8, leading=10))
    styles.add(ParagraphStyle("Item", parent=styles["BodyText"], leftIndent=18, bulletIndent=6))
    styles["Code"].fontSize = 7.5
    styles["Code"].leading = 9
    return styles


def _para(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    return Paragraph(escape(printable(text)), style, bulletText=bullet)


def _flowables(page: Page, styles: StyleSheet1) -> list[Flowable]:
    width = A4[0] - 4 * cm
    story: list[Flowable] = [_para(page.title, styles["Title"])]
    for block in page.blocks:
        if block.kind == "heading":
            story.append(_para(block.text, styles[f"Heading{min(4, block.level + 1)}"]))
        elif block.kind == "para":
            story.append(_para(block.text, styles["BodyText"]))
        elif block.kind == "code":
            story.append(Preformatted(printable(block.text), styles["Code"], maxLineLength=100))
        elif block.kind == "list":
            for n, item in enumerate(block.items, 1):
                mark = f"{n}." if block.ordered else "\u2022"
                story.append(_para(item, styles["Item"], bullet=mark))
        else:
            columns = len(block.rows[0])
            data = [[_para(cell, styles["Cell"]) for cell in row] for row in block.rows]
            table = Table(data, colWidths=[width / columns] * columns, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
            story.append(table)
    return story


def to_pdf(page: Page) -> bytes:
    """The page as an A4 PDF whose metadata title is the page title."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        title=printable(page.title),
        author="SQLite documentation",
        subject="SQLite 3.40.1 documentation (Debian package sqlite3-doc)",
        invariant=1,
        pageCompression=1,
    )
    doc.build(_flowables(page, _styles()))
    return buffer.getvalue()
