"""``--sources`` with Word, PowerPoint, Excel and EPUB files, read by the bounded helper; a
zip bomb and a damaged file are skipped, each named with its reason."""

from __future__ import annotations

from pathlib import Path

from durable_research.contract.keys import text_key
from durable_research.research.collection import ingest_paths, load_collection
from durable_research.research.office import MAX_UNCOMPRESSED
from durable_research.store import get_text
from durable_research.store.directory import DirectoryStore
from tests.support.office_files import (
    DOCX_FACT,
    EPUB_FACT,
    PPTX_FACT,
    XLSX_FACT,
    make_docx,
    make_epub,
    make_pptx,
    make_size_bomb,
    make_xlsx,
)


def test_office_files_are_read_and_bombs_skipped(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "notes.docx")
    make_pptx(docs / "talk.pptx")
    make_xlsx(docs / "rivers.xlsx")
    make_epub(docs / "novel.epub")
    make_size_bomb(docs / "bomb.docx", MAX_UNCOMPRESSED // (1 << 20) + 1)
    (docs / "broken.xlsx").write_bytes(b"PK\x03\x04 this is no spreadsheet")
    store = DirectoryStore(tmp_path / "store")
    collection = ingest_paths(store, [docs])
    assert [d.name for d in collection.docs] == ["notes.docx", "novel.epub", "rivers.xlsx",
                                                 "talk.pptx"]
    titles = {d.name: d.title for d in collection.docs}
    assert titles["talk.pptx"] == "Volcanic rocks" and titles["novel.epub"] == "The Lighthouse"
    texts = {d.name: get_text(store, text_key(d.content_hash))
             for d in load_collection(store, collection.key)}
    assert DOCX_FACT in texts["notes.docx"] and "| Sand | 3 |" in texts["notes.docx"]
    assert PPTX_FACT in texts["talk.pptx"]
    assert f"| {XLSX_FACT} | 6650 |" in texts["rivers.xlsx"]
    assert EPUB_FACT in texts["novel.epub"] and "| Mary Rose | 1911 |" in texts["novel.epub"]
    skipped = dict(s.split(": ", 1) for s in collection.skipped)
    assert set(skipped) == {"bomb.docx", "broken.xlsx"}
    assert "zip bomb" in skipped["bomb.docx"] and "once unpacked" in skipped["bomb.docx"]
    assert skipped["broken.xlsx"].startswith("unreadable Excel file (")  # named once
