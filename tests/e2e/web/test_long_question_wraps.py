"""A question without spaces (a pasted URL, a hash, a long identifier) wraps inside the
page. Found in a new user's trial in Chromium with a 100,000-character question: the
report's page grew to 2,082 pixels wide beside a 1,200-pixel window, and the Reports list,
which shows the first 120 characters, to 1,518 (its status, date and id columns off to the
side)."""

from __future__ import annotations

import pytest
from jinja2 import Environment, FileSystemLoader
from playwright.sync_api import Browser

from durable_research.client.reports import ReportSummary
from durable_research.contract.report import RunStatus
from durable_research.web.templating import HERE

QUESTION = "https://example.org/" + "x" * 2000
CSS = (HERE / "static" / "app.css").read_text(encoding="utf-8")
WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _widths(chromium: Browser, body: str) -> list[int]:
    page = chromium.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.set_content(f"<!DOCTYPE html><html><head><style>{CSS}</style></head><body>"
                         f"<main>{body}</main></body></html>")
        widths: list[int] = page.evaluate(WIDTHS)
    finally:
        page.close()
    return widths


def _block(template: str, **context: object) -> str:
    """The ``main`` block of one of the app's templates, rendered with ``context``."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    tmpl = env.get_template(template)
    return "".join(tmpl.blocks["main"](tmpl.new_context(context)))


@pytest.mark.parametrize("template", ["report", "index"])
def test_a_long_question_wraps_within_the_window(chromium: Browser, template: str) -> None:
    if template == "index":
        body = _block("index.html", reports=[ReportSummary(
            "report-0123456789ab", RunStatus.COMPLETED, "2026-12-08 02:59:37", QUESTION, "")])
    else:  # the report page's heading (its markup, without the live parts)
        body = f'<h1>Report</h1><p class="question" dir="auto">{QUESTION}</p>'
    widths = _widths(chromium, body)
    assert widths[0] <= widths[1], widths
