"""The HTML report (also shown in the web page's frame) keeps unbroken text inside its
width. Found in a new user's trial: a question of 100,000 "x" overflowed the report's
"Question:" line and the page's frame scrolled sideways; a long URL or identifier in the
prose does the same."""

from __future__ import annotations

from dataclasses import replace

from playwright.sync_api import Browser

from durable_research.layout.html import render_html
from tests.support.sample_report import SAMPLE_REPORT

LONG = "https://example.org/" + "x" * 3000
WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def test_unbroken_text_wraps_within_the_report(chromium: Browser) -> None:
    content = replace(SAMPLE_REPORT, question=LONG,
                      body_markdown=SAMPLE_REPORT.body_markdown + f"\n\nSee {LONG} there.\n")
    page = chromium.new_page(viewport={"width": 900, "height": 700})
    try:
        page.set_content(render_html(content).decode("utf-8"))
        widths: list[int] = page.evaluate(WIDTHS)
    finally:
        page.close()
    assert widths[0] <= widths[1], widths
