"""Property: any text, markup-like or not, yields a valid PDF, HTML, Markdown and Word file."""

from __future__ import annotations

import io

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.layout import render_bytes

FRAGMENTS = st.sampled_from([
    "<para>", "</para>", "<b>", "</b>", "&", "&amp;", "&#0;", "**", "*", "_", "~~", "`",
    "```", "\n", "\n\n", "# ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "---",
    "[x](", ")", "<br/>", "<font name=\"x\">", "\\", "שלום", "مرحبا", "中文", "😀", "\u200d",
    "\ud800", "\x00", "\t", "  \n",
])
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=25).map("".join)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(title=st.text(max_size=40), question=TEXT, body=TEXT,
       cost=st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)))
def test_any_text_renders_valid_outputs(title: str, question: str, body: str,
                                        cost: float | None) -> None:
    content = ReportContent(title=title, question=question, body_markdown=body, model=title,
                            date="2025-01-01", usage=Usage(1, 2, 3, cost))
    pdf = render_bytes(content, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "About this report" in text
    html = render_bytes(content, "html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert "About this report" in render_bytes(content, "md").decode("utf-8")
    word = docx.Document(io.BytesIO(render_bytes(content, "docx")))
    assert "About this report" in [p.text for p in word.paragraphs]
