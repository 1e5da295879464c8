"""The readers :mod:`office` runs in the helper's limited child, one per format.

Each takes the checked zip (and its bytes, for the libraries that open them
themselves) and returns ``(title, [text])``: one Markdown text (headings as ``#``
lines, list items as ``-``, tables as pipe tables), for an EPUB its chapters in reading
order. Each stops once it has ``max_chars``
characters (a row, a paragraph or a chapter over, never more).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from lxml import etree

from durable_research.research.mdtable import markdown_table
from durable_research.research.pdftext import PdfError
from durable_research.research.xhtml_md import xhtml_markdown

# Columns of a spreadsheet row kept (a row may claim all 16,384).
MAX_COLUMNS = 100
_HEADING_STYLE = re.compile(r"heading (\d)", re.I)
_CONTAINER = "META-INF/container.xml"
_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container",
       "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html"}


class _Text:
    """Blocks of Markdown collected up to a number of characters."""

    def __init__(self, max_chars: int) -> None:
        self.blocks: list[str] = []
        self.size = 0
        self.max_chars = max_chars

    @property
    def full(self) -> bool:
        return self.size > self.max_chars

    def add(self, block: str) -> None:
        if block.strip():
            self.blocks.append(block)
            self.size += len(block)

    def table(self, rows: Iterable[list[str]]) -> None:
        kept: list[list[str]] = []
        for row in rows:
            kept.append(row)
            self.size += sum(len(c) for c in row)
            if self.full:
                break
        self.add(markdown_table(kept))

    def text(self) -> str:
        return "\n\n".join(self.blocks)


def _line(text: str) -> str:
    return " ".join(text.split())


# ---- Word ---------------------------------------------------------------------------------
def docx_text(archive: zipfile.ZipFile, body: bytes,  # noqa: ARG001 - one signature
              max_chars: int) -> tuple[str, list[str]]:
    """A .docx: its paragraphs (by style: headings, list items) and tables in order."""
    import docx
    from docx.table import Table

    doc = docx.Document(io.BytesIO(body))
    out = _Text(max_chars)
    items: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            out.add("\n".join(items))
            items = []
            out.table([cell.text for cell in row.cells] for row in block.rows)
        else:
            text, item = _paragraph(block)
            if item:
                items.append(text)
                continue
            out.add("\n".join(items))
            items = []
            out.add(text)
        if out.full:
            break
    out.add("\n".join(items))
    return doc.core_properties.title or "", [out.text()]


def _paragraph(p: Any) -> tuple[str, bool]:
    """One Word paragraph as a Markdown line, and whether it is a list item."""
    text = _line(p.text)
    style = p.style.name if p.style is not None else ""
    heading = _HEADING_STYLE.match(style)
    if not text:
        return "", False
    if style == "Title":
        return f"# {text}", False
    if heading:
        return f"{'#' * min(int(heading.group(1)), 6)} {text}", False
    ppr = p._p.pPr  # noqa: SLF001 - python-docx has no API for list numbering
    numbered = ppr is not None and ppr.numPr is not None
    if numbered or style.startswith("List"):
        ilvl = ppr.numPr.ilvl if numbered else None
        level = min(int(ilvl.val), 8) if ilvl is not None else 0
        return "  " * level + f"- {text}", True
    return text, False


# ---- PowerPoint -------------------------------------------------------------------------------
def _shapes(shapes: Iterable[Any]) -> Iterator[Any]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes(shape.shapes)
        else:
            yield shape


def pptx_text(archive: zipfile.ZipFile, body: bytes,  # noqa: ARG001 - one signature
              max_chars: int) -> tuple[str, list[str]]:
    """A .pptx: per slide a heading (its title), its text as lines or bullet items (body
    placeholders), its tables, and its speaker notes."""
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    bullets = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
    deck = Presentation(io.BytesIO(body))
    out = _Text(max_chars)
    for n, slide in enumerate(deck.slides, start=1):
        title = slide.shapes.title
        heading = _line(title.text_frame.text) if title is not None else ""
        out.add(f"## {heading or f'Slide {n}'}")
        for shape in _shapes(slide.shapes):
            if title is not None and shape.shape_id == title.shape_id:
                continue
            if getattr(shape, "has_table", False):
                out.table([cell.text for cell in row.cells] for row in shape.table.rows)
            elif getattr(shape, "has_text_frame", False):
                listed = shape.is_placeholder and shape.placeholder_format.type in bullets
                lines = [("  " * p.level + f"- {_line(p.text)}") if listed else _line(p.text)
                         for p in shape.text_frame.paragraphs if p.text.strip()]
                out.add("\n".join(lines) if listed else "\n\n".join(lines))
        notes = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
        if notes is not None:
            out.add(notes.text)
        if out.full:
            break
    return deck.core_properties.title or "", [out.text()]


# ---- Excel ----------------------------------------------------------------------------------
def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _rows(sheet: Any) -> Iterator[list[str]]:
    for row in sheet.iter_rows(values_only=True):
        cells = [_value(v) for v in row[:MAX_COLUMNS]]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            yield cells


def xlsx_text(archive: zipfile.ZipFile, body: bytes,  # noqa: ARG001 - one signature
              max_chars: int) -> tuple[str, list[str]]:
    """A .xlsx: per worksheet a heading (its name) and its rows as a table (values as last
    computed, the first row as the header), streamed row by row."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    out = _Text(max_chars)
    try:
        for sheet in book.worksheets:
            rows = _rows(sheet)
            first = next(rows, None)
            if first is None:
                continue
            out.add(f"## {_line(str(sheet.title))}")
            out.table(row for part in ([first], rows) for row in part)
            if out.full:
                break
        title = book.properties.title or ""
    finally:
        book.close()
    return title, [out.text()]


# ---- EPUB -----------------------------------------------------------------------------------
def epub_text(archive: zipfile.ZipFile, body: bytes,  # noqa: ARG001 - one signature
              max_chars: int) -> tuple[str, list[str]]:
    """An EPUB: its chapters in spine (reading) order, each as Markdown (:mod:`xhtml_md`)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        container = etree.fromstring(archive.read(_CONTAINER), parser)
    except KeyError:
        raise PdfError(f"not an EPUB (no {_CONTAINER})") from None
    root = container.find(".//c:rootfile", _NS)
    opf_path = root.get("full-path", "") if root is not None else ""
    try:
        package = etree.fromstring(archive.read(opf_path), parser)
    except KeyError:
        raise PdfError(f"EPUB without its package file {opf_path[:80]!r}") from None
    title = package.findtext(".//dc:title", "", _NS)
    items = {item.get("id"): item for item in package.iterfind(".//opf:manifest/opf:item", _NS)}
    base = posixpath.dirname(opf_path)
    out = _Text(max_chars)
    for ref in package.iterfind(".//opf:spine/opf:itemref", _NS):
        item = items.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES:
            continue
        href = unquote(str(item.get("href", "")).split("#", 1)[0])
        try:
            markup = archive.read(posixpath.normpath(posixpath.join(base, href)))
        except KeyError:
            continue  # a chapter the package names but the zip lacks
        out.add(xhtml_markdown(markup))
        if out.full:
            break
    return str(title or ""), [out.text()]
