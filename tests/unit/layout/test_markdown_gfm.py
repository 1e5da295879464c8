"""Markdown an LLM may write -> document model: GFM details, footnotes, depth limits, links."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import pytest

from durable_research.contract.report import ReportContent
from durable_research.document.mdparse import BLOCK_DEPTH
from durable_research.document.render import (
    Block,
    BlockQuote,
    Footnote,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    ReferenceList,
    Strike,
    Table,
    Text,
    build_document,
    parse_markdown,
    plain_text,
)


def texts(blocks: Sequence[Block]) -> Iterator[str]:
    """Visible text of every paragraph/heading/cell, in document order."""
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            yield plain_text(b.inlines)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from texts(item)
        elif isinstance(b, BlockQuote):
            yield from texts(b.blocks)
        elif isinstance(b, Table):
            for row in (b.header, *b.rows):
                yield from (plain_text(c) for c in row)
        elif isinstance(b, Footnotes):
            for n in b.notes:
                yield from texts(n.blocks)


def links(inlines: Sequence[Inline]) -> list[Link]:
    out: list[Link] = []
    for it in inlines:
        if isinstance(it, Link):
            out.append(it)
        elif hasattr(it, "children"):
            out += links(it.children)
    return out


def test_deep_emphasis_degrades_to_text_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    src = "".join(f"*w{i} " for i in range(300)) + "core" + "".join(f" v{i}*" for i in range(300))
    with caplog.at_level(logging.WARNING):
        (para,) = parse_markdown(src)
    assert isinstance(para, Paragraph)
    text = plain_text(para.inlines)
    assert "w0" in text and "w299" in text and "core" in text and "v299" in text
    assert "plain text" in caplog.text


def test_deep_lists_and_quotes_keep_every_item(caplog: pytest.LogCaptureFixture) -> None:
    lists = "".join("  " * i + f"- item{i}\n" for i in range(40))
    quotes = "> " * 60 + "deepquote"
    with caplog.at_level(logging.WARNING):
        all_text = " ".join(texts(parse_markdown(lists + "\n\n" + quotes)))
    assert all(f"item{i}" in all_text for i in range(40))
    assert "deepquote" in all_text
    assert "plain text" in caplog.text
    # Shallow structure is kept as structure, with no warning.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        levels = BLOCK_DEPTH // 2 - 1
        (lst,) = parse_markdown("".join("  " * i + f"- d{i}\n" for i in range(levels)))
    assert isinstance(lst, ListBlock) and not caplog.text


def test_footnotes_numbered_and_never_dropped() -> None:
    src = ("See[^u] and[^w], again[^u].\n\n[^u]: https://only.example/url\n[^w]: word\n"
           "[^spare]: never referenced\n")
    para, notes = parse_markdown(src)
    assert isinstance(para, Paragraph)
    refs = [it for it in para.inlines if isinstance(it, FootnoteRef)]
    assert refs == [FootnoteRef(1, 0), FootnoteRef(2, 0), FootnoteRef(1, 1)]
    assert isinstance(notes, Footnotes)
    assert [(n.n, n.refs) for n in notes.notes] == [(1, 2), (2, 1), (3, 0)]
    assert [" ".join(texts(n.blocks)) for n in notes.notes] == [
        "https://only.example/url", "word", "never referenced"]


def test_footnotes_in_html_and_markdown() -> None:
    from durable_research.layout import render_bytes

    content = ReportContent(body_markdown="Claim[^1].\n\n[^1]: word\n")
    html = render_bytes(content, "html").decode()
    assert '<sup class="fnref"><a href="#fn-1" id="fnref-1">1</a></sup>' in html
    assert '<li id="fn-1" value="1" dir="auto"><p dir="auto">word</p>' in html
    assert '<a href="#fnref-1" class="backref">' in html
    # The Markdown body is kept verbatim, footnote syntax included.
    md = render_bytes(content, "md").decode()
    assert "Claim[^1]." in md and "[^1]: word" in md


def test_task_lists_autolinks_and_single_tilde() -> None:
    (tasks, para) = parse_markdown(
        "- [ ] open\n- [x] done\n\nSee www.example.org, https://a.example/x_(y) and "
        "me@example.com; not main.py. ~gone~ ~~gone too~~ ~~~kept~~~\n")
    assert isinstance(tasks, ListBlock)
    assert [plain_text(i[0].inlines) for i in tasks.items  # type: ignore[union-attr]  # Paragraphs here
            ] == ["☐ open", "☑ done"]
    assert isinstance(para, Paragraph)
    assert [x.href for x in links(para.inlines)] == [
        "http://www.example.org", "https://a.example/x_(y)", "mailto:me@example.com"]
    assert [plain_text(s.children) for s in para.inlines if isinstance(s, Strike)] == [
        "gone", "gone too"]
    assert "~~~kept~~~" in plain_text(para.inlines)


def test_heading_anchors_and_internal_links() -> None:
    body = ("## Contents\n\n- [Intro](#intro)\n- [Why? *Really*](#why-really)\n"
            "- [Upper](#INTRO)\n- [Gone](#nowhere)\n- [Share](smb://h/s) [Rel](page.html)\n\n"
            "## Intro\n\n## Why? *Really*\n\n## Intro\n\n## Ref 1\n")
    doc = build_document(ReportContent(body_markdown=body))
    heads = [b for b in doc.blocks if isinstance(b, Heading)]
    assert [h.anchor for h in heads] == [
        "contents", "intro", "why-really", "intro-1", "ref-1", "about-this-report"]
    toc = doc.blocks[1]
    assert isinstance(toc, ListBlock)
    got = [links(item[0].inlines) for item in toc.items]  # type: ignore[union-attr]  # Paragraphs here
    assert [[x.href for x in g] for g in got] == [["#intro"], ["#why-really"], ["#intro"], [],
                                                  []]
    # Unknown anchors and non-web schemes keep their text, as text.
    assert plain_text(toc.items[3][0].inlines) == "Gone"  # type: ignore[union-attr]  # Paragraphs here
    assert plain_text(toc.items[4][0].inlines) == "Share Rel"  # type: ignore[union-attr]  # Paragraphs here


def test_heading_anchors_keep_combining_marks() -> None:
    """As GitHub's: a Hindi heading's vowel signs stay (they were dropped, so a contents
    link written as the model sees the heading went nowhere)."""
    body = "- [अंतरिक्ष](#अंतरिक्ष-में)\n\n## अंतरिक्ष में\n"
    doc = build_document(ReportContent(body_markdown=body))
    heads = [b for b in doc.blocks if isinstance(b, Heading)]
    assert heads[0].anchor == "अंतरिक्ष-में"
    toc = doc.blocks[0]
    assert isinstance(toc, ListBlock)
    assert [x.href for x in links(toc.items[0][0].inlines)] == [  # type: ignore[union-attr]  # a Paragraph
        "#अंतरिक्ष-में"]


def test_slugs_avoid_reference_and_footnote_targets() -> None:
    from durable_research.contract.citations import Reference

    content = ReportContent(body_markdown="## Ref 1\n\n## Fn 1\n\nx[^a]\n\n[^a]: y\n",
                            references=[Reference(1, "T", "https://e.org", "web")])
    doc = build_document(content)
    anchors = [b.anchor for b in doc.blocks if isinstance(b, Heading)]
    assert anchors[:2] == ["ref-1-1", "fn-1-1"]
    assert any(isinstance(b, ReferenceList) for b in doc.blocks)
    notes = [b for b in doc.blocks if isinstance(b, Footnotes)]
    assert notes and notes[0].notes == (Footnote(1, (Paragraph((Text("y"),)),), 1),)
