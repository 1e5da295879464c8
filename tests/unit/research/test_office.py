"""Office files and EPUBs as Markdown (the readers, in this process), and the zip caps."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from durable_research.research import office, office_read
from durable_research.research.blocks import BlockKind, parse_blocks
from durable_research.research.chunking import chunk
from durable_research.research.extract import SUPPORTED_SUFFIXES, mime_for
from durable_research.research.office import ZipBombError, check_zip
from durable_research.research.pdftext import ERROR, OK
from durable_research.research.xhtml_md import xhtml_markdown
from tests.support.office_files import (
    DOCX_FACT,
    EPUB_FACT,
    PPTX_FACT,
    XLSX_FACT,
    make_docx,
    make_epub,
    make_many_members,
    make_pptx,
    make_size_bomb,
    make_xlsx,
)

Reader = Callable[[zipfile.ZipFile, bytes, int], tuple[str, list[str]]]


def _read(make: Callable[[Path], Path], reader: Reader, tmp_path: Path,
          suffix: str) -> tuple[str, str]:
    body = make(tmp_path / f"doc{suffix}").read_bytes()
    title, (text,) = reader(check_zip(body), body, 800_000)
    return title, text


def _rows(text: str) -> list[list[str]]:
    return [b.cells for b in parse_blocks(text) if b.kind == BlockKind.ROW]


def test_the_suffixes_are_supported() -> None:
    for suffix in (".docx", ".pptx", ".xlsx", ".epub"):
        assert suffix in SUPPORTED_SUFFIXES
        assert mime_for(f"x{suffix.upper()}") in office.OFFICE_TYPES


def test_word_headings_lists_and_tables(tmp_path: Path) -> None:
    title, text = _read(make_docx, office_read.docx_text, tmp_path, ".docx")
    assert title == "Water bear field notes"
    assert "# Field notes\n\n" + DOCX_FACT in text
    assert "## Habitats\n\n- Moss\n- Lichen" in text
    assert "| Moss \\| wet | 12 |" in text  # a pipe in a cell is escaped
    assert _rows(text) == [["Habitat", "Count"], ["Moss | wet", "12"], ["Sand", "3"]]
    passages = chunk(text)
    assert any(p.heading == "Field notes" and DOCX_FACT in p.text for p in passages)
    assert any(p.heading == "Field notes > Habitats" and "| Sand | 3 |" in p.text
               for p in passages)


def test_powerpoint_slides_bullets_and_tables(tmp_path: Path) -> None:
    _, text = _read(make_pptx, office_read.pptx_text, tmp_path, ".pptx")
    assert f"## Volcanic rocks\n\n- {PPTX_FACT}\n  - Columns are mostly hexagonal." in text
    assert "## Column sizes" in text
    assert _rows(text) == [["Site", "Width"], ["Giant's Causeway", "45 cm"]]


def test_excel_sheets_as_tables(tmp_path: Path) -> None:
    title, text = _read(make_xlsx, office_read.xlsx_text, tmp_path, ".xlsx")
    assert title == "Geography"
    assert "## Rivers" in text and "## Lakes" in text and "## Empty" not in text
    assert _rows(text) == [["River", "Length km"], [XLSX_FACT, "6650"], ["Amazon", "6400"],
                           ["Lake", "Area km2"], ["Baikal", "31722"]]


def test_epub_chapters_in_spine_order(tmp_path: Path) -> None:
    title, text = _read(make_epub, office_read.epub_text, tmp_path, ".epub")
    assert title == "The Lighthouse"
    assert text.index("# The keeper") < text.index(EPUB_FACT) < text.index("# The ships")
    assert _rows(text) == [["Ship", "Year"], ["Mary Rose", "1911"], ["Endeavour", "1912"]]


def test_xhtml_blocks_are_not_repeated() -> None:
    markup = (b"<html><body><div>Loose text<ul><li><p>One</p><ul><li>in<b>ner</b></li></ul></li>"
              b"</ul></div><pre>a ``` b</pre><script>evil()</script></body></html>")
    assert xhtml_markdown(markup) == "Loose text\n\n- One inner\n\n~~~\na ``` b\n~~~"
    assert xhtml_markdown(b"") == ""


def test_zip_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "MAX_MEMBERS", 5)
    with pytest.raises(ZipBombError, match="6 files in the zip"):
        check_zip(make_many_members(tmp_path / "many.docx", 6).read_bytes())
    monkeypatch.setattr(office, "MAX_UNCOMPRESSED", 1_500_000)
    bomb = make_size_bomb(tmp_path / "bomb.docx", 2).read_bytes()
    assert len(bomb) < 50_000
    with pytest.raises(ZipBombError, match="2,097,152 bytes once unpacked"):
        check_zip(bomb)


def test_child_answers_name_the_problem(tmp_path: Path) -> None:
    corrupt = office.child_read(b"PK\x03\x04 broken", {"kind": office.DOCX, "max_chars": 10})
    assert corrupt["status"] == ERROR and "unreadable Word file" in corrupt["payload"]
    not_epub = make_many_members(tmp_path / "x.epub", 1).read_bytes()
    answer = office.child_read(not_epub, {"kind": office.EPUB, "max_chars": 10})
    assert answer["status"] == ERROR and "not an EPUB" in answer["payload"]
    body = make_docx(tmp_path / "ok.docx").read_bytes()
    ok = office.child_read(body, {"kind": office.DOCX, "max_chars": 10})
    # Reading stops soon after max_chars: the table is never reached.
    assert ok["status"] == OK and "Habitat" not in ok["payload"][0]
