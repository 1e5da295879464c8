"""Research reports: inline citations, References, and the citation check in About."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from durable_research.contract.citations import (
    DisputedCitation,
    Reference,
    UnsupportedCitation,
    Verification,
)
from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.document.render import (
    ABOUT_HEADING,
    CheckMark,
    Citation,
    Code,
    CodeBlock,
    Heading,
    Link,
    ListBlock,
    Paragraph,
    ReferenceList,
    Table,
    Text,
    build_document,
    parse_markdown,
    plain_text,
)
from durable_research.document.render_research import link_citations, safe_url
from durable_research.layout import render_bytes

URL1 = "https://example.org/a?x=1&y=2"
REFS = [
    Reference(1, "Tardigrades <script>alert(1)</script> & friends", URL1, "web", "h1",
              "2025-03-04"),
    Reference(2, "Evil page", "javascript:alert(document.cookie)", "web", "h2",
              "2025-03-04T10:00:00Z"),
    Reference(3, "Lab notes", "notes/[1] water.md", "local", "h3", "2025-03-05"),
    Reference(5, "# Not a heading", "http://plain.example/p", "web", "h5", ""),
]
BODY = (
    "## Findings\n\nWater bears survive [1]. Vacuum too [2, 3] [unverified]. Both [1][5]. "
    "Missing [4]. Code `[1]` stays.\n\n```\n[2]\n```\n\n- item [3]\n\n"
    "| a | b |\n|--|--|\n| [1] | x |\n"
)
RESEARCH = ReportContent(
    title="Tardigrades",
    question="How tough are they?",
    body_markdown=BODY,
    model="m-1",
    date="2025-03-06",
    usage=Usage(10, 20, 30, 0.25),
    references=REFS,
    verification=Verification(
        checked=9, supported=7, judged=3,
        unsupported=[UnsupportedCitation("Vacuum too [2, 3].", 2, 0.2, "source <b>disagrees</b>")],
        treatment="marked [unverified] in the text",
    ),
    research_notes=["2 pages failed to load", "stopped by budget"],
)
SINGLE = ReportContent(
    title="Tardigrades",
    question="Why?",
    body_markdown="Fact [1] and [2, 3] [unverified].\n\nCode `[1]`.",
    model="m-1",
    date="2025-01-02",
    usage=Usage(10, 20, 30, 0.25),
)


def _html(content: ReportContent) -> str:
    return render_bytes(content, "html").decode("utf-8")


def _md(content: ReportContent) -> str:
    return render_bytes(content, "md").decode("utf-8")


def _pdf_links(data: bytes) -> tuple[list[object], list[str]]:
    """(internal destinations, external URIs) of all link annotations."""
    internal: list[object] = []
    uris: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            action = annot.get("/A")
            if "/Dest" in annot:
                internal.append(annot["/Dest"])
            elif action is not None and action.get("/S") == "/GoTo":
                internal.append(action["/D"])
            elif action is not None and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
    return internal, uris


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


# ---- document model -------------------------------------------------------------------------
def test_citations_are_modelled_only_for_known_numbers_outside_code() -> None:
    doc = build_document(RESEARCH)
    para = doc.blocks[1]
    assert isinstance(para, Paragraph)
    cites = [it.n for it in para.inlines if isinstance(it, Citation)]
    assert cites == [1, 2, 3, 1, 5]  # [4] has no reference
    assert CheckMark() in para.inlines
    assert Code("[1]") in para.inlines
    text = plain_text(para.inlines)
    assert "Missing [4]." in text
    assert text.startswith("Water bears survive [1]. Vacuum too [2, 3] [unverified]")
    assert doc.blocks[2] == CodeBlock("", "[2]")
    lst, table = doc.blocks[3], doc.blocks[4]
    assert isinstance(lst, ListBlock) and isinstance(table, Table)
    assert Citation(3) in lst.items[0][0].inlines  # type: ignore[union-attr]  # a Paragraph here
    assert table.rows[0][0] == (Text("["), Citation(1), Text("]"))


def test_citation_forms_ranges_and_links() -> None:
    blocks = parse_markdown("A [2; 5-7] b [1](https://x.org) c [12345678901] [x]")
    (para,) = link_citations(blocks, frozenset({1, 2, 5, 7}))
    assert isinstance(para, Paragraph)
    assert [it.n for it in para.inlines if isinstance(it, Citation)] == [2, 5, 7]
    assert Link("https://x.org", (Text("1"),)) in para.inlines  # a real link stays a link
    assert "[12345678901] [x]" in plain_text(para.inlines)


def test_references_come_after_body_and_before_about() -> None:
    doc = build_document(RESEARCH)
    headings = {plain_text(b.inlines): i for i, b in enumerate(doc.blocks)
                if isinstance(b, Heading)}
    refs_at = next(i for i, b in enumerate(doc.blocks) if isinstance(b, ReferenceList))
    assert headings["Findings"] < headings["References"] == refs_at - 1
    assert refs_at < headings[ABOUT_HEADING]
    refs = doc.blocks[refs_at]
    assert isinstance(refs, ReferenceList)
    assert [(e.n, e.anchor) for e in refs.entries] == [
        (1, "ref-1"), (2, "ref-2"), (3, "ref-3"), (5, "ref-5")
    ]


def test_safe_url_accepts_only_http_and_https() -> None:
    assert safe_url(URL1) == URL1
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://a.b", "https:///x",
                "https://a b", 'https://a.b/"x', "//a.b", ""):
        assert safe_url(bad) is None, bad


# ---- HTML -----------------------------------------------------------------------------------
def test_html_citation_links_and_reference_anchors() -> None:
    html = _html(RESEARCH)
    assert html.count('href="#ref-1"') == 3 and 'href="#ref-2"' in html
    assert 'id="ref-2"' in html and 'id="ref-5" value="5"' in html
    assert 'href="#ref-4"' not in html and "Missing [4]." in html
    assert "<code>[1]</code>" in html and "<pre><code>[2]</code></pre>" in html
    assert f'<a href="{URL1.replace("&", "&amp;")}">' in html
    assert '<span class="unverified"' in html
    main = html[html.index("<main>"):]
    assert main.index("Findings") < main.index(">References<") < main.index("About this report")
    assert main.index("About this report") < main.index("Citations checked:")


def test_html_escapes_hostile_titles_and_links_only_http() -> None:
    html = _html(RESEARCH)
    assert "<script" not in html
    assert "Tardigrades &lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html
    assert 'href="javascript' not in html and "javascript:alert(document.cookie)" in html
    assert "<code>notes/[1] water.md</code>" in html and 'href="notes' not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(("#ref-", "https://", "http://")) for h in hrefs), hrefs
    assert "source &lt;b&gt;disagrees&lt;/b&gt;" in html


def test_about_lists_verification_and_notes() -> None:
    html = _html(RESEARCH)
    assert ("<strong>Citations checked:</strong> 7 of 9 cited sentences verified as supported "
            "by their source; 1 not verified (3 decided by an LLM judge).") in html
    assert "<strong>Not verified</strong> (marked [unverified] in the text):" in html
    assert '“Vacuum too [2, 3].” — source [<a href="#ref-2" class="cite">2</a>]' in html
    assert "<li><p dir=\"auto\">stopped by budget</p></li>" in html
    assert "<strong>Cost:</strong> $0.2500" in html  # the old facts stay


def test_verification_without_unsupported_has_no_sub_list() -> None:
    content = replace(RESEARCH, verification=Verification(4, 4, 0, [], ""), research_notes=[])
    html = _html(content)
    assert "4 of 4 cited sentences verified" in html
    assert "Not verified" not in html and "Research notes" not in html


DISPUTED = replace(RESEARCH, body_markdown=BODY + "\nPages are 1024 bytes [1] [disputed].\n",
                   verification=Verification(
    checked=3, supported=2, corroborated=1, judged=0,
    disputed=[DisputedCitation("Pages are 1024 bytes.", 1, "Pages are 1024 bytes | here.", 5,
                               "The default page size is 4096 bytes.",
                               "numbers differ: 1024 vs 4096")] * 2))


def test_disputed_claims_are_marked_and_shown_side_by_side_in_every_format() -> None:
    md = render_bytes(DISPUTED, "md").decode()
    assert ("2 of 3 cited sentences verified as supported by their source, 1 of them "
            "corroborated by another independent source; 2 disputed by another source") in md
    # The same claim twice is one row, and the label says so (the summary counts 2).
    assert ("the sources disagree; 2 disputed sentences, 1 claim: a claim made in more than "
            "one place is listed once.") in " ".join(md.split())
    rows = [line for line in md.splitlines() if line.startswith("| Pages are 1024")]
    assert rows == ["| Pages are 1024 bytes. | \\[1\\] Pages are 1024 bytes \\| here. | \\[5\\] "
                    "The default page size is 4096 bytes. *(numbers differ: 1024 vs 4096)* |"]
    html = _html(DISPUTED)
    assert '<span class="disputed"' in html and ">Another source says</th>" in html
    assert '<a href="#ref-5" class="cite">5</a>' in html
    pdf = _pdf_text(render_bytes(DISPUTED, "pdf"))
    assert "[disputed]" in pdf and "Another source says" in pdf
    assert "The default page size is 4096 bytes." in pdf


def test_a_disputed_claim_its_source_does_not_state_says_so_in_every_format() -> None:
    """A claim cited to the wrong source, which another source contradicts: the "Its
    source says" cell showed the wrong source's closest passage as if it said the claim
    (found in a new user's trial with the fake LLM's wrong citations)."""
    checked = DISPUTED.verification
    assert checked is not None
    [row] = checked.distinct_disputes()
    wrong = replace(DISPUTED, verification=replace(
        checked, disputed=[replace(row, passage="Tardigrades are small.", stated=False)]))
    md = render_bytes(wrong, "md").decode()
    assert "\\[1\\] *does not state this; its closest passage:* Tardigrades are small." in md
    assert "does not state this; its closest passage:" in _html(wrong)
    assert "does not state this" in " ".join(_pdf_text(render_bytes(wrong, "pdf")).split())
    # A source that states it is shown as before.
    assert "does not state this" not in render_bytes(DISPUTED, "md").decode()


# ---- PDF ------------------------------------------------------------------------------------
def test_pdf_has_references_about_and_link_annotations() -> None:
    data = render_bytes(RESEARCH, "pdf")
    text = _pdf_text(data)
    assert "References" in text and "Tardigrades <script>alert(1)</script> & friends" in text
    assert "Lab notes — notes/[1] water.md, accessed 2025-03-05" in text
    assert ("Citations checked: 7 of 9 cited sentences verified as supported by their source; "
            "1 not verified (3 decided by an LLM judge).") in text
    assert "Not verified (marked [unverified] in the text)" in text
    assert "stopped by budget" in text and "Cost: $0.2500" in text
    assert text.index("Findings") < text.index("References") < text.index("About this report")
    internal, uris = _pdf_links(data)
    # 7 citations in the body (incl. the table) and one in the "Not verified" list.
    assert len(internal) == 8
    # Title and URL of entries 1 and 5 are links; javascript: and the local path are not.
    assert sorted(set(uris)) == ["http://plain.example/p", URL1]
    assert len(uris) == 4


def test_pdf_citation_targets_rtl_reference_entry() -> None:
    # Right-to-left titles take the manually wrapped paragraph path; the anchor must
    # still be there, or reportlab would refuse the link and use the plain fallback.
    content = replace(RESEARCH, references=[
        Reference(1, "שלום עולם " * 12, "https://he.example/x", "web", "h", "2025-01-01")
    ], verification=None)
    internal, uris = _pdf_links(render_bytes(content, "pdf"))
    assert len(internal) == 3 and "https://he.example/x" in uris


def test_pdf_fragment_links_in_body_do_not_force_plain_layout() -> None:
    content = replace(SINGLE, body_markdown="[x](#nowhere) and [y](https://y.example)")
    _internal, uris = _pdf_links(render_bytes(content, "pdf"))
    assert uris == ["https://y.example"]  # the rich layout (with links) was used


# ---- Markdown -------------------------------------------------------------------------------
def test_markdown_keeps_citations_as_text_and_lists_references() -> None:
    md = _md(RESEARCH)
    assert BODY.strip("\n") in md  # body verbatim, "[n]" untouched
    assert not re.search(r"^\s*\[\d+\]:", md, re.M)  # no link-reference definitions
    assert (f"1. [Tardigrades \\<script\\>alert(1)\\</script\\> \\& friends](<{URL1}>) — "
            f"<{URL1}>, accessed 2025-03-04") in md
    assert "2. Evil page — javascript:alert(document.cookie), accessed 2025-03-04" in md
    assert "3. Lab notes — `notes/[1] water.md`, accessed 2025-03-05" in md
    assert "5) [# Not a heading](<http://plain.example/p>)" in md  # gap: new list at 5
    assert md.index("## References") < md.index("## About this report")
    assert "**Citations checked:** 7 of 9 cited sentences verified" in md
    assert "- “Vacuum too \\[2, 3\\].” — source \\[2\\]: source \\<b\\>disagrees\\</b\\>" in md
    assert "- 2 pages failed to load" in md


def test_markdown_round_trips() -> None:
    blocks = parse_markdown(_md(RESEARCH))
    para = next(b for b in blocks if isinstance(b, Paragraph) and "Water" in plain_text(b.inlines))
    assert not any(isinstance(it, Link) for it in para.inlines)  # "[1]" stayed text
    assert "Vacuum too [2, 3] [unverified]." in plain_text(para.inlines)
    lists = [b for b in blocks if isinstance(b, ListBlock) and b.ordered]
    assert [(lst.start, len(lst.items)) for lst in lists] == [(1, 3), (5, 1)]
    first = lists[0].items[0][0]
    assert isinstance(first, Paragraph)
    assert [it.href for it in first.inlines if isinstance(it, Link)] == [URL1, URL1]
    texts = [plain_text(b.inlines) for b in blocks if isinstance(b, Paragraph)]
    assert any(t.startswith("Not verified (marked [unverified] in the text)") for t in texts)
    # Parsing the output again and linking citations gives the same body as the report.
    linked = link_citations(blocks, frozenset({1, 2, 3, 5}))
    assert linked[5] == build_document(RESEARCH).blocks[1]


def test_markdown_generated_lines_cannot_start_blocks() -> None:
    refs = [Reference(1, "# Big", "a.md", "local"), Reference(2, "- item", "x:y", "web"),
            Reference(3, "2024. year", "", "local")]
    content = replace(RESEARCH, references=refs, research_notes=["> quoted", "=== under"])
    md = _md(content)
    assert "1. \\# Big — `a.md`" in md and "2. \\- item — x:y" in md
    assert "3. 2024\\. year\n" in md and "- \\=== under" in md
    blocks = parse_markdown(md[md.index("## References"):])
    refs_list = blocks[1]
    assert isinstance(refs_list, ListBlock) and len(refs_list.items) == 3
    assert all(len(item) == 1 and isinstance(item[0], Paragraph) for item in refs_list.items)
    assert "> quoted" in plain_text(blocks[-1].items[0][0].inlines)  # type: ignore[union-attr]  # a Paragraph here


# ---- single-call reports --------------------------------------------------------------------
def test_single_call_report_renders_as_before() -> None:
    doc = build_document(SINGLE)
    assert not any(isinstance(b, ReferenceList) for b in doc.blocks)
    assert "[1]" in str(doc.blocks[0]) and "Citation" not in str(doc.blocks)
    assert _md(SINGLE) == (
        "# Tardigrades\n\n**Question:** Why?\n\n**Date:** 2025-01-02  \n**Model:** m-1\n\n"
        "---\n\nFact [1] and [2, 3] [unverified].\n\nCode `[1]`.\n\n---\n\n"
        "## About this report\n\n- **Model:** m-1\n- **Date:** 2025-01-02\n"
        "- **Prompt tokens:** 10\n- **Completion tokens:** 20\n- **Total tokens:** 30\n"
        "- **Cost:** $0.2500\n"
    )
    html = _html(SINGLE)
    assert html[html.index("<main>"):] == (
        '<main>\n<p dir="auto">Fact [1] and [2, 3] [unverified].</p>\n'
        '<p dir="auto">Code <code>[1]</code>.</p>\n<hr>\n'
        '<h2 id="about-this-report" dir="auto">About this report</h2>\n<ul>'
        '<li><p dir="auto"><strong>Model:</strong> m-1</p></li>'
        '<li><p dir="auto"><strong>Date:</strong> 2025-01-02</p></li>'
        '<li><p dir="auto"><strong>Prompt tokens:</strong> 10</p></li>'
        '<li><p dir="auto"><strong>Completion tokens:</strong> 20</p></li>'
        '<li><p dir="auto"><strong>Total tokens:</strong> 30</p></li>'
        '<li><p dir="auto"><strong>Cost:</strong> $0.2500</p></li></ul>\n'
        "</main>\n</body>\n</html>\n"
    )
    assert "unverified\"" not in html and "References" not in html
    data = render_bytes(SINGLE, "pdf")
    assert "References" not in _pdf_text(data) and _pdf_links(data) == ([], [])


# ---- any input ------------------------------------------------------------------------------
PIECES = st.sampled_from([
    "[1]", "[2, 3]", "[1][4]", "[unverified]", "`[1]`", "\n\n", "# ", "- ", "1. ", "<script>",
    "javascript:x", "https://a.example/p", "[x](#ref-1)", "&", "\\", "שלום", "中文", "\ud800",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=15)), max_size=12).map("".join)


@settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(body=TEXT, titles=st.lists(TEXT, min_size=1, max_size=3), url=TEXT, note=TEXT)
def test_any_references_render_safely(body: str, titles: list[str], url: str,
                                      note: str) -> None:
    refs = [Reference(i + 1, t, url if i else "https://ok.example/" + str(i), "web" if i % 2
                      else "local", "", url) for i, t in enumerate(titles)]
    content = replace(RESEARCH, body_markdown=body, references=refs, research_notes=[note],
                      verification=Verification(1, 0, 0, [UnsupportedCitation(note, 1, 0, note)]))
    html = _html(content)
    assert "<script" not in html and 'href="javascript' not in html
    md = _md(content)
    assert "## References" in md and "About this report" in md
    reader = PdfReader(io.BytesIO(render_bytes(content, "pdf")))
    assert "References" in "".join(p.extract_text() for p in reader.pages)


def test_disputes_are_listed_once_per_claim_and_said_so_only_when_merged() -> None:
    one = DisputedCitation("Pages are 1024 bytes.", 1, "a", 5, "b", "numbers differ")
    other = replace(one, sentence="Pages are 2048 bytes.")
    assert Verification(disputed=[one, other]).disputes_listed() == ""
    assert Verification(disputed=[one, other, one]).disputes_listed() == (
        "3 disputed sentences, 2 claims: a claim made in more than one place is listed once")


def test_the_summary_counts_the_unverified_and_lists_a_claim_once() -> None:
    """"11 of 20 cited sentences verified ...; 5 disputed by another source" left 4 of
    20 unaccounted for, and the same unverified sentence was listed twice where the
    disputed table lists a claim once (found in a new user's trial)."""
    again = UnsupportedCitation("Download the binary.", 1, 0.1, "its source does not state it")
    other = replace(again, sentence="Run it.")
    content = replace(RESEARCH, verification=Verification(
        checked=5, supported=2, judged=0, unsupported=[again, other, again],
        treatment="marked [unverified] in the text"))
    md = " ".join(render_bytes(content, "md").decode().split())
    assert "2 of 5 cited sentences verified as supported by their source; 3 not verified" in md
    assert ("(marked \\[unverified\\] in the text); 3 unverified sentences, 2 claims: a claim "
            "made in more than one place is listed once:") in md
    assert md.count("“Download the binary.”") == 1 and md.count("“Run it.”") == 1
    assert Verification(unsupported=[again, other]).unsupported_listed() == ""


def test_a_long_passage_in_the_disputed_table_is_cut_after_a_whole_sentence() -> None:
    """The table cut another source's excerpt at 600 characters wherever that fell:
    "... the queue dept…" (found in a new user's trial)."""
    sentence = "The broker keeps every queue on disk and replays it after a restart. "
    long = sentence * 8 + "Then the queue depth is reported to the operator in every state."
    disputed = replace(DISPUTED, verification=Verification(
        checked=1, supported=0, judged=1,
        disputed=[DisputedCitation("Queues are kept in memory.", 1, "Queues are kept in memory.",
                                   5, long, "the judge found a contradiction")]))
    md = " ".join(render_bytes(disputed, "md").decode().split())
    [row] = [line for line in md.split("| Queues are kept in memory. |")[1:2]]
    assert "after a restart. …" in row and "queue dept" not in row
