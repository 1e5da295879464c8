"""Sources without one readable document: the refusal says which files were left out, why."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.errors import UserError
from durable_research.research.collection import ingest_paths
from durable_research.store.directory import DirectoryStore


def test_the_refusal_names_each_damaged_file_and_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "broken.docx").write_bytes(b"not a zip")
    (folder / "notes.xyz").write_text("a format nobody reads")
    with pytest.raises(UserError, match="no readable document found") as info:
        ingest_paths(DirectoryStore(tmp_path / "store"), [folder])
    message = info.value.message
    assert "broken.docx: unreadable Word file" in message
    assert "notes.xyz: unsupported file type" in message
    assert ".md" in info.value.hint


def test_a_long_list_is_cut_to_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(7):
        (folder / f"f{n}.bin").write_bytes(b"\0")
    with pytest.raises(UserError) as info:
        ingest_paths(DirectoryStore(tmp_path / "store"), [folder])
    assert "; and 4 more)" in info.value.message
    assert "\n" not in info.value.message


def test_an_empty_folder_is_refused_without_a_list(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError) as info:
        ingest_paths(DirectoryStore(tmp_path / "store"), [tmp_path / "empty"])
    assert info.value.message == "no readable document found in the given sources"
