"""Reading a big --sources folder says how far it got: a folder of a thousand documents
takes a minute, and a run logged to a file printed nothing in it (found in a new user's
trial: ``--sources /usr/share``, 1,234 documents, 70 s of silence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.cli import research as cli_research
from durable_research.client.prepare import ReportRequest
from durable_research.client.research import ResearchOptions
from durable_research.config import Settings
from durable_research.research.collection import ingest_paths
from durable_research.store.directory import DirectoryStore

DOCUMENTS = 230


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(DOCUMENTS):
        (folder / f"note-{n:03}.md").write_text(f"# Note {n}\n\nTardigrades, part {n}.\n")
    (folder / "skip.xyz").write_text("not a document")
    return folder


def test_each_stored_document_is_told_in_order(tmp_path: Path) -> None:
    told: list[tuple[int, str]] = []
    collection = ingest_paths(DirectoryStore(tmp_path / "store"), [_folder(tmp_path)],
                              progress=lambda count, name: told.append((count, name)))
    assert [count for count, _name in told] == list(range(1, DOCUMENTS + 1))
    assert {name for _count, name in told} == {doc.name for doc in collection.docs}


def test_a_log_gets_a_line_every_hundred_documents(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                        data_dir=str(tmp_path / "data"))
    request = ReportRequest("What do tardigrades eat?", research=ResearchOptions(
        sources=[str(_folder(tmp_path))], web=False))
    cli_research.prepare(settings, request)
    lines = [line for line in capsys.readouterr().err.splitlines() if "reading" in line]
    assert lines == [cli_research.format_reading(n) for n in (100, 200)]
