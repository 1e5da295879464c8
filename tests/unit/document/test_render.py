"""Markdown -> document model (pure, no I/O)."""

from __future__ import annotations

from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.document.render import (
    ABOUT_HEADING,
    BlockQuote,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Rule,
    Strike,
    Strong,
    Table,
    Text,
    build_document,
    format_cost,
    parse_markdown,
    plain_text,
)


def test_headings_and_inline_spans() -> None:
    blocks = parse_markdown("# Title *it*\n\nA **b** `c` [l](https://x.org) ~~s~~  \nnext")
    assert blocks[0] == Heading(1, (Text("Title "), Emphasis((Text("it"),))))
    para = blocks[1]
    assert isinstance(para, Paragraph)
    assert para.inlines == (
        Text("A "),
        Strong((Text("b"),)),
        Text(" "),
        Code("c"),
        Text(" "),
        Link("https://x.org", (Text("l"),)),
        Text(" "),
        Strike((Text("s"),)),
        LineBreak(),
        Text("next"),
    )


def test_nested_lists_keep_structure_and_start() -> None:
    (lst,) = parse_markdown("3. a\n4. b\n   - c\n     - d\n")
    assert isinstance(lst, ListBlock) and lst.ordered and lst.start == 3
    assert len(lst.items) == 2
    inner = lst.items[1][1]
    assert isinstance(inner, ListBlock) and not inner.ordered
    deepest = inner.items[0][1]
    assert isinstance(deepest, ListBlock)
    assert deepest.items[0] == (Paragraph((Text("d"),)),)


def test_quote_code_table_rule() -> None:
    md = "> q\n\n```py\nx = 1\n```\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n---\n"
    quote, code, table, rule = parse_markdown(md)
    assert quote == BlockQuote((Paragraph((Text("q"),)),))
    assert code == CodeBlock("py", "x = 1")
    assert isinstance(table, Table)
    assert table.aligns == ("center", "right")
    assert table.header == ((Text("a"),), (Text("b"),))
    assert table.rows == (((Text("1"),), (Text("2"),)),)
    assert rule == Rule()


def test_raw_html_and_entities_stay_text() -> None:
    (para,) = parse_markdown("<para>x</b> &amp; <script>alert(1)</script>")
    assert isinstance(para, Paragraph)
    assert plain_text(para.inlines) == "<para>x</b> & <script>alert(1)</script>"


def test_javascript_links_are_not_links() -> None:
    (para,) = parse_markdown("[x](javascript:alert(1))")
    assert isinstance(para, Paragraph)
    assert not any(isinstance(i, Link) for i in para.inlines)


def test_build_document_title_body_about() -> None:
    content = ReportContent(
        title="T",
        question="Q?",
        body_markdown="## Body",
        model="m",
        date="2025-01-02",
        usage=Usage(1, 2, 3, None),
    )
    doc = build_document(content)
    assert (doc.title.title, doc.title.question, doc.title.model) == ("T", "Q?", "m")
    assert doc.blocks[0] == Heading(2, (Text("Body"),), anchor="body")
    assert doc.blocks[-2] == Heading(2, (Text(ABOUT_HEADING),), anchor="about-this-report")
    facts = doc.blocks[-1]
    assert isinstance(facts, ListBlock)
    texts = [plain_text(item[0].inlines) for item in facts.items if isinstance(item[0], Paragraph)]
    assert "Cost: unknown" in texts
    assert "Total tokens: 3" in texts


def test_format_cost() -> None:
    assert format_cost(None) == "unknown"
    assert format_cost(0.012345) == "$0.0123"
    assert format_cost(0.0) == "$0.0000"


def test_empty_title_falls_back() -> None:
    assert build_document(ReportContent(title="  ")).title.title == "Research Report"
