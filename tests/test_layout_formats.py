"""HTML and Markdown outputs."""

from __future__ import annotations

from durable_research.layout import render_bytes
from durable_research.layout.markdown import md_escape
from durable_research.shared import ReportContent, Usage

CONTENT = ReportContent(
    title="A <b>&</b> title",
    question="Why <script>alert(1)</script>?",
    body_markdown=(
        "## Head\n\nText **bold** <para>raw</para> [ok](https://x.org) [bad](javascript:x)\n\n"
        "1. one\n   - two\n\n> quote\n\n```py\nif a < b: pass\n```\n\n"
        "| h1 | h2 |\n|:--|--:|\n| a | b |\n\n---\n\nשלום עולם"
    ),
    model="m-1",
    date="2025-01-02",
    usage=Usage(10, 20, 30, 0.25),
)


def test_html_is_escaped_self_contained_and_rtl_aware() -> None:
    html = render_bytes(CONTENT, "html").decode("utf-8")
    assert '<meta charset="utf-8">' in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "A &lt;b&gt;&amp;&lt;/b&gt; title" in html
    assert "&lt;para&gt;raw&lt;/para&gt;" in html
    assert '<a href="https://x.org">ok</a>' in html and 'href="javascript' not in html
    assert "<ol><li>" in html and "<ul><li>" in html and "<blockquote" in html
    assert 'class="language-py">if a &lt; b: pass</code>' in html
    assert 'style="text-align:right">b</td>' in html
    assert "<hr>" in html
    assert '<p dir="auto">שלום עולם</p>' in html
    assert "src=" not in html and "<link" not in html  # nothing loaded from elsewhere
    assert html.index("Head") < html.index("About this report") < html.index("$0.2500")


def test_markdown_keeps_body_verbatim_and_escapes_generated_text() -> None:
    md = render_bytes(CONTENT, "md").decode("utf-8")
    assert md.startswith("# A \\<b\\>\\&\\</b\\> title\n")
    assert CONTENT.body_markdown in md
    assert md.index(CONTENT.body_markdown) < md.index("## About this report")
    assert "- **Cost:** $0.2500" in md
    assert "- **Total tokens:** 30" in md


def test_md_escape_is_single_line() -> None:
    assert md_escape("a\nb  *c*") == "a b \\*c\\*"
