"""write_report: formats, safe names, no overwrite, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.contract.report import ReportContent
from durable_research.layout import safe_basename, write_report

CONTENT = ReportContent(title="T", question="Q", body_markdown="Hello **world**", date="2025-01-01")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report-123", "report-123"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("..", "report"),
        ("", "report"),
        ("   ", "report"),
        (".hidden", "hidden"),
        ("x\x00y\x1bz\n", "xyz"),
        ("a:b*c?d", "a-b-c-d"),
    ],
)
def test_safe_basename(raw: str, expected: str) -> None:
    assert safe_basename(raw) == expected


def test_safe_basename_limits_length() -> None:
    assert len(safe_basename("x" * 1000)) <= 100


def test_writes_all_formats_pdf_first(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    paths = write_report(CONTENT, out, "rep", formats=("md", "html", "pdf"))
    assert [p.name for p in paths] == ["rep.pdf", "rep.md", "rep.html"]
    assert paths[0].read_bytes().startswith(b"%PDF-")
    assert "Hello **world**" in paths[1].read_text(encoding="utf-8")
    assert "<strong>world</strong>" in paths[2].read_text(encoding="utf-8")


def test_never_overwrites_and_shares_suffix(tmp_path: Path) -> None:
    first = write_report(CONTENT, tmp_path, "rep", formats=("pdf", "md"))
    (tmp_path / "rep-2.md").write_text("someone else's file")
    second = write_report(CONTENT, tmp_path, "rep", formats=("pdf", "md"))
    assert [p.name for p in first] == ["rep.pdf", "rep.md"]
    # rep-2.md exists, so the whole set moves on to -3 (same suffix for all formats).
    assert [p.name for p in second] == ["rep-3.pdf", "rep-3.md"]
    assert (tmp_path / "rep-2.md").read_text() == "someone else's file"


def test_overwrite_true_replaces(tmp_path: Path) -> None:
    target = tmp_path / "rep.md"
    target.write_text("old")
    (path,) = write_report(CONTENT, tmp_path, "rep", formats=("md",), overwrite=True)
    assert path == target
    assert "Hello" in target.read_text()


def test_unknown_format_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format 'odt'"):
        write_report(CONTENT, tmp_path, "rep", formats=("pdf", "odt"))
    assert list(tmp_path.iterdir()) == []


def test_no_temp_files_left_and_unsafe_name_stays_inside(tmp_path: Path) -> None:
    (path,) = write_report(CONTENT, tmp_path, "../../escape", formats=("html",))
    assert path.parent == tmp_path
    assert [p.name for p in tmp_path.iterdir()] == ["escape.html"]


def test_concurrent_writers_never_share_a_name(tmp_path: Path) -> None:
    """16 reports with the same stem at once: 16 distinct file sets, none overwritten."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> list[Path]:
        content = ReportContent(body_markdown=f"report {i}")
        return write_report(content, tmp_path, "same", ["md", "html"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(16)))
    stems = {paths[0].stem for paths in results}
    assert len(stems) == 16
    for i, paths in enumerate(results):
        assert f"report {i}" in paths[0].read_text()
