"""The directory store's writes (``store/directory.py``): a folder made private once is
not walked again from the store's root at every write (a mkdir and a stat of each folder
on the way: a tenth of a small write's CPU, six writes a quick report; issue 26, goal 6),
and a folder removed since is made again."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from durable_research.store.directory import DirectoryStore

KEY = "runs/report-1/mail/ledger.json"


@pytest.fixture
def mkdirs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every ``Path.mkdir`` call from here on (its path)."""
    calls: list[Path] = []
    real = Path.mkdir

    def counting(self: Path, *args: Any, **kwargs: Any) -> None:
        calls.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", counting)
    return calls


def test_a_second_write_into_a_folder_walks_no_folder(tmp_path: Path,
                                                      mkdirs: list[Path]) -> None:
    store = DirectoryStore(tmp_path / "store")
    store.put(KEY, b"sending")
    assert mkdirs  # the first write made the folders
    mkdirs.clear()
    store.put(KEY, b"sent")
    store.put("runs/report-1/mail/other.json", b"x")
    assert mkdirs == [] and store.get(KEY) == b"sent"


def test_the_folders_are_private(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "store")
    store.put(KEY, b"x")
    folder = store.root / "runs" / "report-1" / "mail"
    for path in (store.root, folder.parent.parent, folder.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert stat.S_IMODE((folder / "ledger.json").stat().st_mode) == 0o600


def test_a_folder_removed_since_is_made_again(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "store")
    store.put(KEY, b"first")
    shutil.rmtree(store.root / "runs")
    store.put(KEY, b"again")
    assert store.get(KEY) == b"again"
    assert stat.S_IMODE((store.root / "runs" / "report-1").stat().st_mode) == 0o700


def test_a_store_remembers_a_bounded_number_of_folders(tmp_path: Path) -> None:
    from durable_research.store import directory

    store = DirectoryStore(tmp_path / "store")
    for i in range(directory.READY_FOLDERS + 10):
        store.put(f"runs/report-{i}/x.json", b"x")
    assert len(store._ready) == directory.READY_FOLDERS
    assert store.get("runs/report-0/x.json") == b"x"
