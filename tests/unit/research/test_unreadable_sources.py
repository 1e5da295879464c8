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


# A PNG header, then bytes that are no text in any encoding (NULs among them).
_BINARY = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 8


def test_a_binary_file_with_a_text_name_is_skipped_not_stored_as_mojibake(
        tmp_path: Path) -> None:
    # An image saved as notes.md, an archive as page.html: decoded as cp1252 they became
    # a "document" of mojibake, searched, quoted and titled with a stray character.
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text("# Queues\n\nQueues are durable by default.\n")
    for name in ("image.md", "archive.txt", "page.html"):
        (folder / name).write_bytes(_BINARY)
    collection = ingest_paths(DirectoryStore(tmp_path / "store"), [folder])
    assert [d.name for d in collection.docs] == ["good.md"]
    for name in ("image.md", "archive.txt", "page.html"):
        assert f"{name}: binary content, not text" in collection.skipped


def test_text_with_a_byte_order_mark_is_still_read(tmp_path: Path) -> None:
    # UTF-16 text is full of NUL bytes: its byte order mark says it is text.
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "utf16.txt").write_bytes("Queues are durable by default.".encode("utf-16"))
    collection = ingest_paths(DirectoryStore(tmp_path / "store"), [folder])
    assert [d.name for d in collection.docs] == ["utf16.txt"]
    assert collection.skipped == []


def test_the_refusals_name_no_command_line_option(tmp_path: Path) -> None:
    # Every front end ingests through here: the MCP tool and the web form answered a
    # missing folder or a too large upload with "check the --sources path" (client/options
    # spells the options per front end; these refusals need none).
    store = DirectoryStore(tmp_path / "store")
    with pytest.raises(UserError) as missing:
        ingest_paths(store, [tmp_path / "nope"])
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(3):
        (folder / f"f{n}.md").write_text(f"Document {n}.")
    with pytest.raises(UserError) as many:
        ingest_paths(store, [folder], max_files=2)
    for refusal in (missing.value, many.value):
        assert "--" not in f"{refusal.message} {refusal.hint}"


def test_a_stray_nul_in_text_is_text_but_random_bytes_are_binary() -> None:
    """A NUL pasted into UTF-8 text is dropped with the other control characters (the
    document kept, as before the binary check); bytes that are no UTF-8, or NULs in more
    than a few places, are binary data."""
    from random import Random

    from durable_research.research.decode import is_binary

    assert not is_binary("Intro line\x00 with junk, café.\n".encode())
    assert is_binary(Random(7).randbytes(4096))
    assert is_binary(b"PK\x03\x04" + b"\x00" * 40 + b"payload")
    # A multi-byte character cut by the sample's end is still text.
    assert not is_binary(("\x00" + "é" * 5000).encode())


def test_each_skipped_file_is_named_once(tmp_path: Path) -> None:
    """The reasons named the file again: "broken.pdf: unreadable PDF broken.pdf: Stream has
    ended unexpectedly", "empty.txt: no text found in empty.txt" (the list names it)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text("# Queues\n\nQueues are durable by default.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage here\n")
    (folder / "broken.docx").write_bytes(b"not a zip")
    (folder / "empty.txt").write_text("  \n")
    skipped = ingest_paths(DirectoryStore(tmp_path / "store"), [folder]).skipped
    assert len(skipped) == 3, skipped
    for line in skipped:
        name = line.split(":", 1)[0]
        assert line.count(name) == 1, line
    assert any(line.startswith("broken.pdf: unreadable PDF") for line in skipped), skipped
