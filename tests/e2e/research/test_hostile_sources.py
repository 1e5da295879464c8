"""``--sources`` against a hostile folder: links out of it, FIFOs, devices, bad names, PDF bombs.

Issue 25, finding 5: a link ``notes.txt -> ~/.ssh/id_rsa`` put the key into the LLM's prompt,
``/dev/zero`` was read until memory ran out, a FIFO blocked the ingest for good, a file name
that is not UTF-8 ended in a traceback, and a small PDF kept pypdf busy for seconds of CPU.
"""

from __future__ import annotations

import os
import threading
import zlib
from pathlib import Path

import pytest

from durable_research.contract.keys import text_key
from durable_research.research import pdftext
from durable_research.research.collection import Collection, ingest_paths, load_collection
from durable_research.research.extract import ExtractError, extract_text
from durable_research.research.localfiles import UnreadableFile, read_regular
from durable_research.store import get_text
from durable_research.store.directory import DirectoryStore

SECRET = "BEGIN OPENSSH PRIVATE KEY the user's secret"


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    """An empty directory store under the test's temp folder."""
    return DirectoryStore(tmp_path / "store")


def _texts(store: DirectoryStore, key: str) -> str:
    return "\n".join(get_text(store, text_key(d.content_hash))
                     for d in load_collection(store, key))


def test_links_out_of_the_folder_are_not_followed(tmp_path: Path,
                                                  store: DirectoryStore) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(SECRET)
    docs = tmp_path / "docs"
    (docs / "inner").mkdir(parents=True)
    (docs / "report.md").write_text("# Report\n\nBasalt cools into hexagonal columns.")
    (docs / "inner" / "real.md").write_text("# Inner\n\nTardigrades survive the vacuum.")
    (docs / "notes.txt").symlink_to(home / ".ssh" / "id_rsa")
    (docs / "ssh").symlink_to(home / ".ssh", target_is_directory=True)
    (docs / "alias.md").symlink_to(docs / "inner" / "real.md")  # inside: allowed
    (docs / "dangling.md").symlink_to(docs / "gone.md")
    collection = ingest_paths(store, [docs])
    assert SECRET not in _texts(store, collection.key)
    assert [d.name for d in collection.docs] == ["alias.md", "report.md"]
    assert "notes.txt: link leads outside the folder" in collection.skipped
    assert "ssh: link to a folder (not followed)" in collection.skipped
    assert "dangling.md: broken link" in collection.skipped


def test_fifo_is_skipped_without_blocking(tmp_path: Path, store: DirectoryStore) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nA document about basalt columns.")
    os.mkfifo(docs / "pipe.txt")
    result: list[Collection] = []
    worker = threading.Thread(target=lambda: result.append(ingest_paths(store, [docs])))
    worker.start()
    worker.join(20)
    if worker.is_alive():  # today's code: blocked in open(); a writer releases it
        with open(docs / "pipe.txt", "wb"):
            pass
        worker.join()
        pytest.fail("ingesting a folder with a FIFO blocked")
    (collection,) = result
    assert "pipe.txt: not a regular file (FIFO)" in collection.skipped


def test_devices_are_never_read(tmp_path: Path, store: DirectoryStore) -> None:
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_regular(Path("/dev/zero"), max_bytes=1000)
    ok = tmp_path / "ok.txt"
    ok.write_text("A short text about basalt.")
    collection = ingest_paths(store, [zero, ok])  # a link given by name: followed, then checked
    assert "zero.txt: not a regular file (character device)" in collection.skipped
    assert [d.name for d in collection.docs] == ["ok.txt"]


def test_reads_stop_at_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:  # sparse: 2 GB announced, nothing written
        f.truncate(2_000_000_000)
    with pytest.raises(UnreadableFile, match="too large"):
        read_regular(big, max_bytes=1000)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 1000)
    assert read_regular(small, max_bytes=1000) == b"x" * 1000


def test_names_that_are_not_utf8(tmp_path: Path, store: DirectoryStore) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    with open(os.fsencode(docs) + b"/caf\xe9 notes.md", "wb") as f:
        f.write(b"# Cafe\n\nEspresso is brewed under nine bars of pressure.")
    with open(os.fsencode(docs) + b"/ctl\x1b[31m.md", "wb") as f:
        f.write(b"# Escape\n\nAn escape sequence in a file name.")
    collection = ingest_paths(store, [docs])
    names = [d.name for d in load_collection(store, collection.key)]
    assert names == ["caf\ufffd notes.md", "ctl\ufffd[31m.md"]
    assert all(n.isprintable() for n in names)


def _bomb_pdf(repeats: int, fill: int = 0) -> bytes:
    """A few KB of PDF whose one page shows ``repeats`` strings (seconds of pypdf CPU) and
    a string of ``fill`` bytes (that much memory, and more)."""
    content = (b"BT /F1 12 Tf 72 700 Td " + b"(ab) Tj 1 0 Td " * repeats
               + b"(" + b"z" * fill + b") Tj ET")
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_pdf_extraction_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _bomb_pdf(400_000)
    assert len(bomb) < 20_000
    monkeypatch.setattr(pdftext, "CPU_SECONDS", 1)
    with pytest.raises(ExtractError, match="more than 1 s of CPU"):
        extract_text(bomb, "application/pdf", url="https://example.org/bomb.pdf")
    monkeypatch.setattr(pdftext, "CPU_SECONDS", 60)
    monkeypatch.setattr(pdftext, "WALL_SECONDS", 0.5)
    with pytest.raises(ExtractError, match="took more than 0.5 s"):
        extract_text(bomb, "application/pdf")


def test_pdf_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _bomb_pdf(1, fill=60_000_000)  # 60 MB of one letter, compressed
    assert len(bomb) < 100_000
    monkeypatch.setattr(pdftext, "MEMORY_BYTES", 120 << 20)  # the reader alone needs ~65
    with pytest.raises(ExtractError, match="more than 120 MB of memory"):
        extract_text(bomb, "application/pdf")


def test_small_pdf_still_read() -> None:
    text = extract_text(_bomb_pdf(3), "application/pdf").text
    assert "ab" in text


def test_a_dead_helper_is_replaced() -> None:
    assert "ab" in extract_text(_bomb_pdf(3), "application/pdf").text  # a helper is idle now
    idle = list(pdftext._servers._idle)
    assert idle
    for server in idle:
        server.proc.kill()
        server.proc.wait()
    assert "ab" in extract_text(_bomb_pdf(3), "application/pdf").text
