"""HTML and Markdown outputs."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.layout import render_bytes
from durable_research.layout.markdown import md_escape
from durable_research.layout.mdsafe import SCHEME_WINDOW, is_safe_target, sanitize_markdown

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
    body = CONTENT.body_markdown.replace("(javascript:x)", "(#javascript:x)")  # see below
    assert body in md
    assert md.index(body) < md.index("## About this report")
    assert "- **Cost:** $0.2500" in md
    assert "- **Total tokens:** 30" in md


def test_md_escape_is_single_line() -> None:
    assert md_escape("a\nb  *c*") == "a b \\*c\\*"


HOSTILE_BODY = (
    "Intro\x00 with NUL, \x1b[2J an escape sequence and a bell\x07.\r\n\r\n"
    "[click](javascript:alert(1)) [enc](JaVa&#x09;ScRiPt&#58;alert(2)) "
    "[esc](<java\\script:alert(3)>) ![img](data:text/html;base64,PHNjcmlwdD4=) "
    "<vbscript:msgbox(4)> <a href='javascript:alert(5)'>a</a> [ref][r] "
    "[ok](https://example.org/a_(b)) [mail](mailto:x@example.org) [here](#intro) "
    "`[code](javascript:kept)`\n\n"
    "[r]: javascript:alert(6)\n\n"
    "```\n[fenced](javascript:kept)\n```\n"
)


def _targets(md: str) -> list[str]:
    """Every link and image target and HTML URL attribute a permissive viewer would see
    (CommonMark with raw HTML on and no link validation)."""
    viewer = MarkdownIt("commonmark", {"html": True})
    viewer.validateLink = lambda url: True  # type: ignore[method-assign]  # validation off
    found: list[str] = []
    for token in viewer.parse(md):
        for child in token.children or []:
            found += [str(child.attrs[a]) for a in ("href", "src") if a in child.attrs]
            if child.type == "html_inline":
                found += re.findall(r"(?:href|src)\s*=\s*[\"']?([^\"'\s>]*)", child.content)
    return found


def test_markdown_output_is_safe_to_open() -> None:
    """Issue 25: the .md kept NUL, ESC and javascript: links from LLM text."""
    md = render_bytes(ReportContent(body_markdown=HOSTILE_BODY), "md").decode()
    assert not any(ch in md for ch in "\x00\x1b\x07\r")
    assert "with NUL, [2J an escape sequence and a bell." in md
    targets = _targets(md)
    assert len(targets) == 9
    assert all(t.startswith(("https:", "mailto:", "#")) for t in targets), targets
    for kept in ("`[code](javascript:kept)`", "```\n[fenced](javascript:kept)\n```",
                 "[ok](https://example.org/a_(b))", "[click](#javascript:alert(1))",
                 "[r]: #javascript:alert(6)", "\\<vbscript:msgbox(4)\\>"):
        assert kept in md, kept
    before = _targets(HOSTILE_BODY)  # what a viewer would have followed
    assert any(t.lower().startswith(("javascript", "data:", "vbscript")) for t in before)


def test_scheme_is_read_as_a_browser_reads_it() -> None:
    assert not is_safe_target("java&#x0A;script&colon;alert(1)")
    assert not is_safe_target("JAVA\\SCRIPT:x") and not is_safe_target(" data:text/html,x")
    assert is_safe_target("HTTPS://example.org") and is_safe_target("notes/a.md#top")
    assert not is_safe_target("a" * (SCHEME_WINDOW + 1))  # undecided: unsafe
    # Linear work: scanning each "](" or backtick run to the line's end took minutes.
    crafted = "](" * 50_000 + "\n" + "`` x `" * 20_000 + "\n" + "<a:" * 50_000
    assert sanitize_markdown(crafted) == crafted
