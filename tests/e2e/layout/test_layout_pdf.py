"""Golden tests of the PDF layout: text order, outline, page numbers, escaping, PNG."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Sequence

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.layout.pdf import render_pdf
from tests.support.pdftools import drawn_lines, preview_tools

BODY = """\
## Overview

Tardigrades are **tiny** *animals* with `inline & <code>` and [a link](https://example.com/?a=1&b=2).
Markup-like text <para>literal</b> & &lt;b&gt; stays ~~hidden~~ visible.

1. First item
2. Second item
   - nested bullet **bold**
   - another nested
     1. deep item
3. Third item

> Quoted wisdom with *emphasis*.

```python
def twice(x):
    return x * 2  # a very long comment that keeps going and going and going and going on
```

| Name | Value | Note |
|:-----|------:|:----:|
| alpha | 1 | first row |
| beta | 22 | a cell long enough that it has to wrap onto a second line in its column |

---

### Closing thoughts

The end.
"""


def sample(**kw: object) -> ReportContent:
    base: dict[str, object] = dict(
        title="Tardigrades & <friends>",
        question="What are tardigrades?",
        body_markdown=BODY,
        model="test-model-1",
        date="2025-03-04",
        usage=Usage(prompt_tokens=1234, completion_tokens=567, total_tokens=1801, cost_usd=None),
    )
    base.update(kw)
    return ReportContent(**base)  # type: ignore[arg-type]  # base: its fields, as objects


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def assert_in_order(text: str, parts: list[str]) -> None:
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        assert found >= 0, f"{part!r} not found after position {pos} in:\n{text}"
        pos = found + len(part)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_pdf(sample())


def test_constructs_appear_in_order(sample_pdf: bytes) -> None:
    text = squash(pdf_text(sample_pdf))
    assert_in_order(
        text,
        [
            "Tardigrades & <friends>",
            "Question: What are tardigrades?",
            "Date: 2025-03-04",
            "Model: test-model-1",
            "Overview",
            "Tardigrades are tiny animals with inline & <code> and a link.",
            "Markup-like text <para>literal</b> & <b> stays hidden visible.",
            "1. First item",
            "2. Second item",
            "nested bullet bold",
            "another nested",
            "1. deep item",
            "3. Third item",
            "Quoted wisdom with emphasis.",
            "def twice(x):",
            "return x * 2 # a very long comment",
            "Name Value Note",
            "alpha 1 first row",
            "beta 22 a cell long enough",
            "Closing thoughts",
            "The end.",
            "About this report",
            "Prompt tokens: 1,234",
            "Completion tokens: 567",
            "Total tokens: 1,801",
            "Cost: unknown",
        ],
    )


def test_code_block_keeps_indentation_and_wraps(sample_pdf: bytes) -> None:
    lines = drawn_lines(sample_pdf)
    assert "    return x * 2  # a very long comment that keeps going" in "\n".join(lines)
    i = next(n for n, ln in enumerate(lines) if "going and going" in ln)
    # The line is too long for the page: it continues on the next line instead of being cut.
    assert lines[i].rstrip().endswith("going")
    assert lines[i + 1].strip() == "on"


def test_nested_bullets_use_depth_glyphs(sample_pdf: bytes) -> None:
    lines = drawn_lines(sample_pdf)
    assert "◦" in lines  # second-level bullet
    assert "•" in lines  # About section's top-level bullet


def test_outline_has_title_and_headings(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))

    def titles(items: Sequence[object], depth: int = 0) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for it in items:
            if isinstance(it, list):
                out += titles(it, depth + 1)
            else:
                assert isinstance(it, Destination)
                out.append((depth, str(it["/Title"])))
        return out

    assert titles(reader.outline) == [
        (0, "Tardigrades & <friends>"),
        (1, "Overview"),
        (2, "Closing thoughts"),
        (1, "About this report"),
    ]


def test_page_numbers_and_metadata() -> None:
    long_body = "\n\n".join(f"## Section {i}\n\n" + "Lorem ipsum dolor sit amet. " * 40
                            for i in range(12))
    data = render_pdf(sample(body_markdown=long_body, usage=Usage(cost_usd=0.5)))
    reader = PdfReader(io.BytesIO(data))
    n = len(reader.pages)
    assert n >= 3
    for i, page in enumerate(reader.pages, start=1):
        assert f"Page {i} of {n}" in page.extract_text()
    assert reader.metadata is not None and reader.metadata.title == "Tardigrades & <friends>"
    assert "Cost: $0.5000" in squash(pdf_text(data))


def test_markup_characters_in_every_field_are_literal() -> None:
    nasty = '<para>& </b> <font face="x"> &amp; <br/> "q" \'a\''
    data = render_pdf(
        ReportContent(title=nasty, question=nasty, model=nasty, date=nasty,
                      body_markdown=f"# {nasty}\n\n{nasty}\n\n| {nasty} |\n|--|\n| {nasty} |")
    )
    text = squash(pdf_text(data))
    # "&amp;" in Markdown is an entity (→ "&"), but in title/question it is literal text.
    assert text.count('<para>& </b> <font face="x"> &amp; <br/> "q" \'a\'') >= 2
    assert text.count('<para>& </b> <font face="x"> & <br/> "q" \'a\'') >= 3


def test_heading_level_jumps_do_not_break_outline() -> None:
    data = render_pdf(sample(body_markdown="#### Deep first\n\n# Top\n\n###### Deepest"))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.outline) >= 2
    assert_in_order(squash(pdf_text(data)), ["Deep first", "Top", "Deepest"])


def test_huge_table_cell_still_renders() -> None:
    cell = "word " * 3000  # taller than a page
    data = render_pdf(sample(body_markdown=f"| a |\n|---|\n| {cell} |\n\n> {cell}"))
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    assert "About this report" in pdf_text(data)


def test_renders_png_with_pdftoppm(sample_pdf: bytes) -> None:
    exe, out = preview_tools()
    pdf = out / "sample-report.pdf"
    scripts = "\n\nשלום עולם, مرحبا بالعالم, 中文, Ωμέγα, Привет 😀"
    pdf.write_bytes(render_pdf(sample(body_markdown=BODY + scripts)))
    subprocess.run([exe, "-png", "-r", "80", str(pdf), str(out / "sample-report")], check=True,
                   timeout=60)
    pngs = sorted(out.glob("sample-report-*.png"))
    assert pngs and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pngs[0].stat().st_size > 10_000  # a real page, not a blank


def test_pdf_links_only_for_web_and_mail() -> None:
    """smb:, ms-msdt:, file: and data: links stay text; http(s) and mailto are live."""
    from durable_research.layout import render_bytes

    body = ("[a](smb://host/share) [b](ms-msdt:/id) [c](https://ok.example) "
            "[d](mailto:x@example.org) [e](file:///etc/passwd) [f](data:text/html,x)")
    pdf = render_bytes(ReportContent(body_markdown=body), "pdf")
    for bad in (b"smb:", b"ms-msdt", b"file:///etc", b"data:text", b"GoToR", b"/Launch"):
        assert bad not in pdf, bad
    assert b"https://ok.example" in pdf and b"mailto:x@example.org" in pdf
