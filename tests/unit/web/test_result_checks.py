"""The report page lists the claims the check did not verify, as the report's "About this
report" does (issue 21: the CLI, the page and the result show the counts): it showed the
counts and the disputed claims, and no unverified sentence."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from durable_research.client.reports import ReportState
from durable_research.contract.citations import (
    DisputedCitation,
    UnsupportedCitation,
    Verification,
)
from durable_research.contract.report import ReportResult, RunStatus
from durable_research.document.render_research import NOT_STATED
from durable_research.web import pages
from tests.unit.web.test_email_without_smtp import _client

CLAIM = "Larkspur Queue keeps messages for 90 days."
VERIFICATION = Verification(
    checked=5, supported=1, treatment="marked [unverified]",
    # One claim made in two places, and another: listed once each, as in the report.
    unsupported=[UnsupportedCitation(CLAIM, 2, 0.2, "no passage of [2] says 90 days"),
                 UnsupportedCitation(CLAIM, 2, 0.2, "no passage of [2] says 90 days"),
                 UnsupportedCitation("The broker is <b>fast</b>.", 1, 0.1, "")],
    disputed=[DisputedCitation("It listens on port 7450.", 1, "Port 7450.", 2,
                               "Port 7451.", "numbers differ: 7450 vs 7451"),
              # Cited to the wrong source: its passage is only the closest one.
              DisputedCitation("It stores 4 MiB.", 1, "Sizes vary.", 2, "It stores 8 MiB.",
                               "numbers differ: 4 vs 8", stated=False)])


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    async def finished(_request: Any, report_id: str, **_kw: Any) -> ReportState:
        return ReportState(report_id, RunStatus.COMPLETED, question="q", result=ReportResult(
            sources_used="2 local documents", verification=VERIFICATION))

    monkeypatch.setattr(pages, "load_report", finished)
    client: TestClient
    for client in _client(tmp_path, "127.0.0.1:1"):
        answer = client.get("/reports/report-done")
        assert answer.status_code == 200, answer.text
        return answer.text
    raise AssertionError("no client")


def test_the_page_lists_the_unverified_claims(page: str) -> None:
    # Escaped like every sentence of the page (a source's text is not markup).
    assert "The broker is &lt;b&gt;fast&lt;/b&gt;." in page
    page = html.unescape(page)
    assert VERIFICATION.summary() in page  # the CLI's counts line
    assert "Not verified" in page and VERIFICATION.unsupported_listed() in page
    assert page.count(CLAIM) == 1  # once, as the report lists it
    assert "no passage of [2] says 90 days" in page and "marked [unverified]" in page
    assert "It listens on port 7450." in page  # the disputed table, as before


def test_a_passage_that_does_not_state_the_claim_is_not_shown_as_what_it_says(
        page: str) -> None:
    """The page showed the closest passage of a wrongly cited source under "Its source
    says", where the report says "does not state this; its closest passage:"."""
    assert f"[1] <em>{NOT_STATED}</em> Sizes vary." in page
    assert f"[1] <em>{NOT_STATED}</em> Port 7450." not in page
