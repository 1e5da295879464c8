"""Local documents: ingest into a directory store, stable manifests, passage-level BM25 search."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import text_key
from durable_research.errors import UserError
from durable_research.research import localdocs
from durable_research.research.localdocs import (
    Collection,
    ingest_paths,
    load_collection,
    search_collection,
    tokenize,
)
from durable_research.store import get_text
from durable_research.store.directory import DirectoryStore

FILLER = " ".join(f"filler{i} common words about nothing in particular" for i in range(120))


def _pdf(path: Path, lines: list[str]) -> None:
    pdf = canvas.Canvas(str(path))
    for n, line in enumerate(lines):
        pdf.drawString(72, 750 - 20 * n, line)
    pdf.save()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small document folder: Markdown, text, HTML, PDF, plus files to skip or ignore."""
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "tardigrades.md").write_text(
        "# Water bears\n\nTardigrades enter cryptobiosis and survive the vacuum of space.\n")
    (root / "basalt.txt").write_text("Volcanic basalt cools into hexagonal columns.\n")
    (root / "sub" / "long.md").write_text(
        f"# A long report\n\n{FILLER}\n\nThe phosphorescent anglerfish lures prey in the "
        f"abyssal zone.\n\n{FILLER}\n")
    (root / "sub" / "page.html").write_text(
        "<html><head><title>Sourdough</title></head><body><nav>Home | About</nav><article>"
        "<h1>Sourdough</h1><p>A sourdough starter ferments flour and water with wild yeast "
        "for a week before the first loaf is baked.</p></article></body></html>")
    _pdf(root / "sub" / "comets.pdf", ["Comets have icy nuclei.",
                                        "Their tails point away from the sun."])
    (root / "sub" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "empty.txt").write_text("  \n")
    (root / ".hidden.md").write_text("secret hidden words")
    (root / ".git" / "notes.md").write_text("git internals")
    return root


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    """An empty directory store under the test's temp folder."""
    return DirectoryStore(tmp_path / "store")


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with no cached index."""
    localdocs.clear_cache()


def test_ingest_folder(folder: Path, store: DirectoryStore) -> None:
    collection = ingest_paths(store, [folder])
    assert [d.name for d in collection.docs] == [
        "basalt.txt", "sub/comets.pdf", "sub/long.md", "sub/page.html", "tardigrades.md"]
    titles = {d.name: d.title for d in collection.docs}
    assert titles["tardigrades.md"] == "Water bears"
    assert titles["sub/page.html"] == "Sourdough"
    assert collection.skipped[0] == "empty.txt: no text found"  # named once
    assert collection.skipped[1] == "image.png: unsupported file type"
    assert collection.skipped[2].startswith("sub/broken.pdf: ")
    assert len(collection.skipped) == 3  # hidden files and folders are not even listed
    for doc in collection.docs:
        text = get_text(store, text_key(doc.content_hash))
        assert hashlib.sha256(text.encode()).hexdigest() == doc.content_hash
        assert doc.chars == len(text) > 0
    pdf = next(d for d in collection.docs if d.name == "sub/comets.pdf")
    assert "icy nuclei" in get_text(store, text_key(pdf.content_hash))


def test_manifest_is_stable_and_loadable(folder: Path, store: DirectoryStore,
                                         tmp_path: Path) -> None:
    first = ingest_paths(store, [folder])
    second = ingest_paths(store, [folder])
    elsewhere = ingest_paths(DirectoryStore(tmp_path / "other"), [folder])
    assert first.key == second.key == elsewhere.key
    assert first.key.startswith("collections/") and store.exists(first.key)
    assert load_collection(store, first.key) == first.docs
    (folder / "basalt.txt").write_text("Basalt, revised.\n")
    assert ingest_paths(store, [folder]).key != first.key


def test_files_and_name_collisions(tmp_path: Path, store: DirectoryStore) -> None:
    for part in ("a", "b"):
        (tmp_path / part).mkdir()
        (tmp_path / part / "notes.md").write_text(f"# Notes {part}\n\nText from folder {part}.")
    single = tmp_path / "a" / "notes.md"
    collection = ingest_paths(store, [tmp_path / "a", tmp_path / "b", single])
    assert [d.name for d in collection.docs] == ["b/notes.md", "notes.md"]
    assert [d.title for d in collection.docs] == ["Notes b", "Notes a"]
    only = ingest_paths(store, [single])
    assert isinstance(only, Collection) and [d.name for d in only.docs] == ["notes.md"]


def test_user_errors(tmp_path: Path, store: DirectoryStore, folder: Path) -> None:
    with pytest.raises(UserError) as info:
        ingest_paths(store, [tmp_path / "missing"])
    assert "missing" in info.value.message
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.docx").write_bytes(b"PK")
    with pytest.raises(UserError) as info:
        ingest_paths(store, [junk])
    assert ".md" in info.value.hint
    with pytest.raises(UserError):
        ingest_paths(store, [folder], max_files=2)
    with pytest.raises(UserError):
        ingest_paths(store, [folder], max_total_bytes=100)


def test_search_finds_the_right_document(folder: Path, store: DirectoryStore) -> None:
    key = ingest_paths(store, [folder]).key
    cases = {
        "tardigrade cryptobiosis in space": "tardigrades.md",
        "hexagonal basalt columns": "basalt.txt",
        "wild yeast starter": "sub/page.html",
        "icy comet nuclei": "sub/comets.pdf",
        "anglerfish in the abyssal zone": "sub/long.md",
    }
    for query, name in cases.items():
        hits = search_collection(store, key, query, 3)
        assert hits and hits[0].url == name, query
        assert hits[0].kind == SourceKind.LOCAL
        assert query.split()[0][:5] in get_text(store, text_key(hits[0].content_hash)).lower()
        assert len(hits[0].snippet) <= 300
    # Passage-level: the snippet is the passage deep inside the long document.
    (hit,) = search_collection(store, key, "phosphorescent anglerfish", 1)
    assert "phosphorescent anglerfish" in hit.snippet and hit.title == "A long report"
    assert search_collection(store, key, "", 5) == []
    assert search_collection(store, key, "the of and", 5) == []
    assert search_collection(store, key, "zyxwvut", 5) == []
    assert len(search_collection(store, key, "the basalt tardigrades sourdough comets", 2)) == 2


def test_index_built_once_per_collection(folder: Path, store: DirectoryStore,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[str] = []
    real = localdocs._build_index

    def counting(store_: DirectoryStore, key: str) -> localdocs._Index:
        builds.append(key)
        return real(store_, key)

    monkeypatch.setattr(localdocs, "_build_index", counting)
    key = ingest_paths(store, [folder]).key
    first = search_collection(store, key, "basalt", 3)
    assert search_collection(store, key, "basalt", 3) == first
    search_collection(store, key, "tardigrades", 3)
    assert builds == [key]
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.md").write_text("Another collection about basalt.")
    other_key = ingest_paths(store, [other]).key
    search_collection(store, other_key, "basalt", 3)
    assert builds == [key, other_key]
    localdocs.clear_cache()
    builds.clear()
    monkeypatch.setattr(localdocs, "CACHE_SIZE", 1)
    for k in (key, key, other_key, key):  # the least recently used index is evicted
        search_collection(store, k, "basalt", 3)
    assert builds == [key, other_key, key]


def test_non_english_text(tmp_path: Path, store: DirectoryStore) -> None:
    docs = tmp_path / "intl"
    docs.mkdir()
    (docs / "zh.md").write_text("# 水熊虫\n\n水熊虫可以在太空的真空中生存。")
    (docs / "de.txt").write_text("Bärtierchen überleben Trockenheit und Kälte.")
    (docs / "ar.txt").write_text("يستطيع بطيء المشية البقاء في الفضاء.")
    key = ingest_paths(store, [docs]).key
    assert search_collection(store, key, "真空", 3)[0].url == "zh.md"
    assert search_collection(store, key, "Bärtierchen Kälte", 3)[0].url == "de.txt"
    assert search_collection(store, key, "الفضاء", 3)[0].url == "ar.txt"
    assert tokenize("Tardigrades and studies of水熊虫") == [
        "tardigrade", "study", "水熊", "熊虫"]


def test_same_name_in_three_folders(tmp_path: Path, store: DirectoryStore) -> None:
    for part in ("x", "y/x", "z/x"):
        (tmp_path / part).mkdir(parents=True)
        (tmp_path / part / "n.txt").write_text(f"text of {part}")
    folders = [tmp_path / "x", tmp_path / "y" / "x", tmp_path / "z" / "x"]
    names = [d.name for d in ingest_paths(store, folders).docs]
    assert names == ["n.txt", "x/n.txt", "x/n.txt (2)"]
