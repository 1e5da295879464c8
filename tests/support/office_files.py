"""Small office files and EPUBs written by the tests themselves (and hostile zips)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import openpyxl
from pptx import Presentation
from pptx.util import Inches

DOCX_FACT = "Tardigrades survive 6,000 atmospheres of pressure."
PPTX_FACT = "Basalt columns form as lava cools and contracts."
XLSX_FACT = "Nile"
EPUB_FACT = "The lighthouse keeper logged every passing ship."


def make_docx(path: Path) -> Path:
    """A report: title, headings, a paragraph, a bulleted list and a table."""
    doc = docx.Document()
    doc.core_properties.title = "Water bear field notes"
    doc.add_heading("Field notes", level=1)
    doc.add_paragraph(DOCX_FACT)
    doc.add_heading("Habitats", level=2)
    doc.add_paragraph("Moss", style="List Bullet")
    doc.add_paragraph("Lichen", style="List Bullet")
    table = doc.add_table(rows=3, cols=2)
    for r, row in enumerate((("Habitat", "Count"), ("Moss | wet", "12"), ("Sand", "3"))):
        for c, text in enumerate(row):
            table.rows[r].cells[c].text = text
    doc.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    """Two slides: a title and bullets, then a table."""
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    slide.shapes.title.text = "Volcanic rocks"
    body = slide.placeholders[1].text_frame
    body.text = PPTX_FACT
    deeper = body.add_paragraph()
    deeper.text = "Columns are mostly hexagonal."
    deeper.level = 1
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = "Column sizes"
    shape = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    for r, row in enumerate((("Site", "Width"), ("Giant's Causeway", "45 cm"))):
        for c, text in enumerate(row):
            shape.table.cell(r, c).text = text
    deck.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    """Two sheets of rows (a header row each) and an empty one."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Rivers"
    for row in (("River", "Length km"), (XLSX_FACT, 6650), ("Amazon", 6400.0)):
        sheet.append(row)
    book.create_sheet("Empty")
    lakes = book.create_sheet("Lakes")
    lakes.append(("Lake", "Area km2"))
    lakes.append(("Baikal", 31722))
    book.properties.title = "Geography"
    book.save(str(path))
    return path


_CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf"
 media-type="application/oebps-package+xml"/></rootfiles></container>"""
_OPF = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Lighthouse</dc:title>
<dc:identifier id="id">x</dc:identifier></metadata>
<manifest><item id="c2" href="text/ch%202.xhtml" media-type="application/xhtml+xml"/>
<item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="style.css" media-type="text/css"/></manifest>
<spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>"""
_CHAPTER = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p>{extra}</body></html>"""
_SHIPS = ("<table><tr><th>Ship</th><th>Year</th></tr><tr><td>Mary Rose</td><td>1911</td></tr>"
          "<tr><td>Endeavour</td><td>1912</td></tr></table>")


def make_epub(path: Path) -> Path:
    """An EPUB 3 of two chapters (the spine's order differs from the manifest's)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", _CONTAINER)
        z.writestr("OEBPS/content.opf", _OPF)
        z.writestr("OEBPS/text/ch1.xhtml", _CHAPTER.format(
            title="The keeper", text=EPUB_FACT + " He wrote in ink, in a leather-bound book "
            "that he kept by the lamp through every winter storm.", extra=""))
        z.writestr("OEBPS/text/ch 2.xhtml", _CHAPTER.format(
            title="The ships", text="Two ships passed in the first winter of the log, both "
            "in fog, both safely.", extra=_SHIPS))
        z.writestr("OEBPS/style.css", "p { margin: 0 }")
    return path


def make_many_members(path: Path, members: int) -> Path:
    """A zip (named as an office file) of ``members`` empty files."""
    with zipfile.ZipFile(path, "w") as z:
        for n in range(members):
            z.writestr(f"m/{n}", b"")
    return path


def make_size_bomb(path: Path, megabytes: int) -> Path:
    """A small zip with one member that inflates to ``megabytes`` MB of zeros."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path

