"""The Word (.docx) output, read back with python-docx: structure, links, scripts."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from durable_research.document.render import ABOUT_HEADING, REFERENCES_HEADING, ref_anchor
from durable_research.layout import render_bytes, write_report
from durable_research.layout.word_xml import bookmark_name, direction_runs
from tests.support.sample_report import SAMPLE_REPORT

CONTENT = SAMPLE_REPORT


@cache
def _open() -> WordDocument:
    """The report's .docx, rendered once for the module (the tests only read it)."""
    return docx.Document(io.BytesIO(render_bytes(CONTENT, "docx")))


def _para(word: WordDocument, start: str) -> Paragraph:
    return next(p for p in word.paragraphs if p.text.startswith(start))


def _bookmarks(word: WordDocument) -> set[str]:
    return {str(b.get(qn("w:name"))) for b in word.element.body.iter(qn("w:bookmarkStart"))}


def test_headings_title_and_sections() -> None:
    word = _open()
    styled = [(p.style.name if p.style else "", p.text) for p in word.paragraphs]
    assert styled[0] == ("Title", "Tardigrades")
    assert ("Normal", "Question: How tough are they?") in styled
    for heading in ("Findings", "Scripts", REFERENCES_HEADING, ABOUT_HEADING):
        assert ("Heading 2", heading) in styled
    assert word.core_properties.title == "Tardigrades"


def test_inline_styles_and_links() -> None:
    word = _open()
    p = _para(word, "Text with")
    runs = {r.text: r for r in p.iter_inner_content() if not hasattr(r, "address")}
    assert runs["bold"].bold and runs["italic"].italic
    assert runs["code"].font.name == "Liberation Mono"
    link = next(h for h in p.hyperlinks if h.text == "a link")
    assert link.address == "https://x.org/p"
    # The unsafe reference URL is shown, never made a link.
    assert not any("javascript" in h.address for q in word.paragraphs for h in q.hyperlinks)


def test_citations_link_to_their_reference_entries() -> None:
    word = _open()
    findings = _para(word, "Water bears survive")
    cited = [(h.text, h.fragment) for h in findings.hyperlinks]
    assert ("1", bookmark_name(ref_anchor(1))) in cited
    assert ("5", bookmark_name(ref_anchor(5))) in cited
    assert "Missing [4]" in findings.text  # no reference 4: stays text
    marks = _bookmarks(word)
    assert {bookmark_name(ref_anchor(n)) for n in (1, 2, 3, 5)} <= marks
    assert _para(word, "1. Tardigrades").hyperlinks[0].address.startswith("https://example.org")
    # Every internal link has its target.
    fragments = {h.fragment for p in word.paragraphs for h in p.hyperlinks if h.fragment}
    assert fragments <= marks


def test_nested_lists_keep_markers_and_indent() -> None:
    word = _open()
    first, nested, deeper = (_para(word, m) for m in ("1.\tfirst", "◦\tnested", "▪\tdeeper"))
    assert _para(word, "2.\tsecond").paragraph_format.left_indent == \
        first.paragraph_format.left_indent
    indents = [p.paragraph_format.left_indent or 0 for p in (first, nested, deeper)]
    assert indents == sorted(indents) and len(set(indents)) == 3


def test_tables_code_notes_and_disputes() -> None:
    word = _open()
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["a", "b"] in cells and ["[1]", "x"] in cells
    assert ["Claim", "Its source says", "Another source says"] in cells
    assert any(row[0] == "Vacuum kills them." and "Vacuum is lethal." in row[2] for row in cells)
    assert all(r.bold for r in word.tables[0].rows[0].cells[0].paragraphs[0].runs)
    code = _para(word, "if a < b:")
    assert "\n    pass" in code.text and code.runs[0].font.name == "Liberation Mono"
    assert _para(word, "1. A note.")  # the [^n] note, as an endnote with its bookmark
    quote = _para(word, "quoted")
    assert quote.style is not None and quote.style.name == "Quote"


def test_scripts_carry_direction_and_language() -> None:
    word = _open()
    for start, lang, rtl in (("الدببة", "ar-SA", True), ("שלום", "he-IL", True),
                             ("हिन्दी", "hi-IN", False)):
        p = _para(word, start)
        assert (p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None) == rtl
        run = p.runs[0]
        assert bool(run.font.rtl) == rtl
        lang_el = run._r.rPr.find(qn("w:lang")) if run._r.rPr is not None else None
        assert lang_el is not None and lang_el.get(qn("w:bidi")) == lang
    east = {r._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia"))
            for r in _para(word, "中文").runs if r._r.rPr is not None}
    assert east == {"ja-JP"}  # kana in the run: Japanese
    assert _para(word, "Controls").text == "Controls  and  vanish."
    rtl_tables = [t for t in word.tables if t._tbl.tblPr.find(qn("w:bidiVisual")) is not None]
    assert [t.rows[0].cells[0].text for t in rtl_tables] == ["العمود"]


def test_direction_runs_keep_neutrals_with_the_run_before() -> None:
    assert direction_runs("abc שלום, עולם 12 def") == [
        ("abc ", False), ("שלום, עולם 12 ", True), ("def", False)]


def test_write_report_writes_a_docx_with_the_others(tmp_path: Path) -> None:
    paths = write_report(CONTENT, tmp_path, "rep", formats=("md", "docx"))
    assert [p.name for p in paths] == ["rep.md", "rep.docx"]
    assert docx.Document(str(paths[1])).paragraphs[0].text == "Tardigrades"
