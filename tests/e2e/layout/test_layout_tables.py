"""PDF tables: measured column widths, bounded work, tables too wide for the page."""

from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader

from durable_research.contract.report import ReportContent
from durable_research.document.docmodel import Table
from durable_research.document.mdparse import MAX_PARSED_TABLE_CHARS, parse_markdown
from durable_research.layout import render_bytes
from durable_research.layout.limits import MAX_TABLE_CELLS
from durable_research.layout.tables import column_widths
from tests.support.pdftools import drawn_lines, preview_tools

WIDE = "\n".join([
    "| Language | Algorithm | Typical complexity | Notes |",
    "|---|---|---|---|",
    "| Python | Quicksort | O(n log n) average, O(n²) worst | In-place partitioning; the "
    "standard library uses Timsort instead, which is stable and adaptive to sorted runs. |",
    "| Rust | Mergesort | O(n log n) | slice::sort is a stable merge sort variant; "
    "sort_unstable is a pattern-defeating quicksort. |",
    "| Go | Introsort | O(n log n) | sort.Slice switches to heapsort when recursion gets "
    "too deep. |",
]) + "\n"


def pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_widths_follow_the_css_auto_layout() -> None:
    # Everything fits: extra room is shared in proportion to the natural widths.
    assert column_widths([10, 10], [20, 60], 160) == [40, 120]
    # Minima fit: each column grows from its longest word towards its longest line.
    assert column_widths([10, 30], [50, 230], 100) == [20, 80]
    # Not even the longest words fit: only the widest are cut, to a common cap.
    assert column_widths([10, 200, 300], [10, 200, 300], 210) == [10, 100, 100]


def test_header_words_are_not_broken() -> None:
    lines = [ln.strip() for ln in drawn_lines(render_bytes(ReportContent(body_markdown=WIDE),
                                                           "pdf"))]
    for word in ("Language", "Algorithm", "Python", "Quicksort", "Mergesort", "Introsort"):
        assert word in lines, word
    assert "Typical complexity" in lines or "Typical" in lines


def test_oversized_table_is_shortened_with_a_visible_note() -> None:
    rows = 3 * MAX_TABLE_CELLS // 5
    md = "| a | b | c | d | e |\n|---|---|---|---|---|\n" + "".join(
        f"| r{i} | v{i} | text | {i} | words |\n" for i in range(rows))
    content = ReportContent(body_markdown=md + "\nAfter the table.\n")
    text = pdf_text(render_bytes(content, "pdf"))
    shown = MAX_TABLE_CELLS // 5
    assert f"showing {shown:,} of {rows:,} rows" in " ".join(text.split())
    assert f"r{shown - 1}" in text and f"r{shown} " not in text
    assert "After the table." in text
    html = render_bytes(content, "html").decode()
    assert f"<td dir=\"auto\" style=\"text-align:left\">r{rows - 1}</td>" in html


def test_huge_table_is_capped_before_it_is_parsed_and_in_the_html() -> None:
    """Issue 25: a 1.96 MB table took 41 s and 509 MB to render; rows beyond the caps are
    left out before their cells are parsed, with a note. The Markdown file keeps them."""
    cell = "x" * 100
    rows = MAX_PARSED_TABLE_CHARS // 300 + 500
    md = "| a | b | c |\n|---|---|---|\n" + "".join(
        f"| {cell} | r{i:05d} {cell[:93]} | {cell} |\n" for i in range(rows))  # 300 chars
    content = ReportContent(body_markdown=md + "\nAfter the table.\n")
    (table,) = [b for b in parse_markdown(content.body_markdown) if isinstance(b, Table)]
    shown = MAX_PARSED_TABLE_CHARS // 300
    assert (len(table.rows), table.omitted) == (shown, rows - shown)
    html = render_bytes(content, "html").decode()
    assert f"Table shortened: showing {shown:,} of {rows:,} rows" in html
    assert f">r{shown - 1:05d} " in html and f">r{shown:05d} " not in html
    assert "After the table." in html
    pdf = " ".join(pdf_text(render_bytes(content, "pdf")).split())
    assert f"of {rows:,} rows" in pdf and "the Markdown output has all of them" in pdf
    assert f"| r{rows - 1:05d} " in render_bytes(content, "md").decode()


def test_table_too_wide_for_the_page_is_shown_as_text() -> None:
    header = "|" + "|".join(f" c{i} " for i in range(40)) + "|\n"
    md = header + "|" + "---|" * 40 + "\n|" + "|".join(f" x{i} " for i in range(40)) + "|\n"
    text = " ".join(pdf_text(render_bytes(ReportContent(body_markdown=md), "pdf")).split())
    assert "Table too wide for the page (40 columns)" in text
    assert "c0 | c1 | c2" in text and "x38 | x39" in text


def test_wide_table_png_preview() -> None:
    exe, out = preview_tools()
    pdf = out / "wide-table.pdf"
    pdf.write_bytes(render_bytes(ReportContent(title="Wide table", body_markdown=WIDE), "pdf"))
    subprocess.run([exe, "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                    str(out / "wide-table")], check=True, timeout=60)
    pngs = sorted(out.glob("wide-table-*.png"))
    assert pngs and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pngs[0].stat().st_size > 10_000  # a real page, not a blank
