"""A representative research report for the output formats' tests (Word, and its PDF via
LibreOffice): citations, an unsafe URL, a local file, a table, code, nested lists, a
quote, a footnote, right-to-left and other scripts, a disputed and an unverified claim."""

from __future__ import annotations

from durable_research.contract.citations import (
    DisputedCitation,
    Reference,
    UnsupportedCitation,
    Verification,
)
from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent

REFERENCES = [
    Reference(1, "Tardigrades <script>alert(1)</script> & friends",
              "https://example.org/a?x=1&y=2", "web", "h1", "2025-03-04"),
    Reference(2, "Evil page", "javascript:alert(document.cookie)", "web", "h2", "2025-03-04"),
    Reference(3, "Lab notes", "notes/[1] water.md", "local", "h3", "2025-03-05"),
    Reference(5, "# Not a heading", "http://plain.example/p", "web", "h5", ""),
]
BODY = (
    "## Findings\n\nWater bears survive [1]. Vacuum too [2, 3] [unverified]. Both [1][5]. "
    "Missing [4].\n\n- item [3]\n\n| a | b |\n|--|--|\n| [1] | x |\n"
    "\n## Scripts\n\nText with **bold**, *italic*, `code` and [a link](https://x.org/p).\n\n"
    "1. first\n   - nested *item*\n     - deeper\n2. second\n\n> quoted [^n]\n\n"
    "```py\nif a < b:\n    pass\n```\n\n"
    "الدببة المائية قوية جدا [1].\n\n| العمود | القيمة |\n|--|--|\n| واحد | 1 |\n\n"
    "שלום עולם.\n\nहिन्दी पाठ।\n\n中文 テスト 한국어\n\n"
    "Controls \x01\x1b and \ufffe vanish.\n\n[^n]: A note.\n"
)
DISPUTE = DisputedCitation("Vacuum kills them.", 1, "They survive vacuum.", 5,
                           "Vacuum is lethal.", "opposite claims")
SAMPLE_REPORT = ReportContent(
    title="Tardigrades",
    question="How tough are they?",
    body_markdown=BODY,
    model="m-1",
    date="2025-03-06",
    usage=Usage(10, 20, 30, 0.25),
    references=REFERENCES,
    verification=Verification(
        checked=9, supported=7, judged=3,
        unsupported=[UnsupportedCitation("Vacuum too [2, 3].", 2, 0.2, "source disagrees")],
        treatment="marked [unverified] in the text",
        disputed=[DISPUTE],
    ),
    research_notes=["2 pages failed to load"],
)
