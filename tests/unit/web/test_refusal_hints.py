"""A decision the report refuses gets a hint in the HTTP API's names (the API answered
"Invalid answers: 4 answers for 2 question(s)" with no hint)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from temporalio.exceptions import ApplicationError

from durable_research.client.reports import ReportState
from durable_research.contract.report import RunStatus
from durable_research.errors import FailureType
from durable_research.web import api
from tests.support.api_client import api_client as api_client_of
from tests.support.refusing import RefusingReport, report_runs_with_a_worker

ID = "report-0123456789ab"


@pytest.fixture
def refusing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[tuple[TestClient, RefusingReport]]:
    report = RefusingReport()

    async def temporal(*_: object) -> RefusingReport:
        return report

    with api_client_of(tmp_path, monkeypatch) as client:
        monkeypatch.setattr(api, "temporal", temporal)
        report_runs_with_a_worker(monkeypatch)
        yield client, report


def test_too_many_answers_say_how_to_send_them(refusing: tuple[TestClient, RefusingReport]) -> None:
    client, report = refusing
    report.cause = ApplicationError("Invalid answers: 4 answers for 2 question(s)", 2)
    refused = client.post(f"/api/v1/reports/{ID}/answers", json={"answers": list("abcd")})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == ("Answers not accepted: Invalid answers: 4 answers for "
                                       "2 question(s)")
    assert (f'answer each of the 2 questions in order, at most 1000 characters each: POST '
            f'/api/v1/reports/{ID}/answers with {{"answers": ["ANSWER 1", "ANSWER 2"]}}'
            ) in refused.json()["hint"], refused.json()


def test_a_decision_out_of_turn_points_at_the_reports_status(
        refusing: tuple[TestClient, RefusingReport]) -> None:
    client, report = refusing
    report.cause = ApplicationError("This report is not waiting for plan review (step: "
                                    "writing sections)", type=FailureType.WRONG_STATE)
    refused = client.post(f"/api/v1/reports/{ID}/plan", json={"action": "approve"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["hint"] == (f"GET /api/v1/reports/{ID} shows what the report is "
                                      "waiting for")


def test_a_decision_out_of_turn_names_the_request_the_report_waits_for(
        refusing: tuple[TestClient, RefusingReport], monkeypatch: pytest.MonkeyPatch) -> None:
    from durable_research.contract.report import ReportStatus, ReportStep

    client, report = refusing
    report_runs_with_a_worker(monkeypatch, ReportStatus(step=ReportStep.CLARIFY,
                                                        questions=["Which?"]))
    report.cause = ApplicationError("This report is not waiting for review (step: waiting "
                                    "for answers)", type=FailureType.WRONG_STATE)
    refused = client.post(f"/api/v1/reports/{ID}/review", json={"action": "approve"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["hint"] == (
        f'it waits for answers to its clarifying question: POST /api/v1/reports/{ID}/answers '
        'with {"answers": ["ANSWER 1"]} (/api/docs has each field)'), refused.json()


def test_the_page_shows_what_to_do_under_the_refusal(
        refusing: tuple[TestClient, RefusingReport], monkeypatch: pytest.MonkeyPatch) -> None:
    from durable_research.contract.report import ReportStatus, ReportStep, RunStatus
    from durable_research.web import review

    client, report = refusing
    report.cause = ApplicationError("Invalid answers: 4 answers for 2 question(s)", 2)

    async def temporal(*_: object) -> RefusingReport:
        return report

    async def load(*_: object, **__: object) -> ReportState:
        return ReportState(ID, RunStatus.RUNNING, query=ReportStatus(
            step=ReportStep.CLARIFY, questions=["Which?", "Who?"]))

    monkeypatch.setattr(review, "temporal", temporal)
    monkeypatch.setattr(review, "load_report", load)
    page = client.post(f"/reports/{ID}/answers", data={"action": "answer",
                                                       "answers": list("abcd")})
    assert page.status_code == 409, page.text
    assert "4 answers for 2 question(s)" in page.text
    assert ("answer each of the 2 questions in order, at most 1000 characters each: the "
            "report&#39;s page has the form for it") in page.text, page.text


def _page_of_a_report(monkeypatch: pytest.MonkeyPatch, report: RefusingReport,
                      status: RunStatus = RunStatus.RUNNING) -> None:
    """The report page's forms find report ``ID`` in ``status``, served by ``report``."""
    from durable_research.contract.report import ReportStatus, ReportStep
    from durable_research.web import review

    async def temporal(*_: object) -> RefusingReport:
        return report

    async def load(*_: object, **__: object) -> ReportState:
        return ReportState(ID, status, query=ReportStatus(step=ReportStep.REVIEW))

    monkeypatch.setattr(review, "temporal", temporal)
    monkeypatch.setattr(review, "load_report", load)


def test_a_cancel_of_an_ended_report_says_where_to_see_how_it_ended(
        refusing: tuple[TestClient, RefusingReport], monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's trial: a refusal that is no decision's (a stale page's Cancel) showed
    its reason on the page and no hint at all."""
    from durable_research import client as rc
    from durable_research.errors import ReportEndedError

    client, report = refusing
    _page_of_a_report(monkeypatch, report, RunStatus.COMPLETED)

    async def ended(*_: object) -> None:
        raise ReportEndedError(f"Workflow {ID} is not running (status: completed)", ID,
                               lead="nothing to cancel; ")

    monkeypatch.setattr(rc, "cancel_report", ended)
    page = client.post(f"/reports/{ID}/cancel")
    assert page.status_code == 409, page.text
    assert '<p class="help" id="action-hint">nothing to cancel; this page shows how it ended' \
        in page.text, page.text


def test_a_draft_too_large_to_send_keeps_its_hint_on_the_page(
        refusing: tuple[TestClient, RefusingReport], monkeypatch: pytest.MonkeyPatch) -> None:
    from durable_research.contract.review import MAX_REVIEW_BYTES

    client, report = refusing
    _page_of_a_report(monkeypatch, report)
    page = client.post(f"/reports/{ID}/review", data={
        "action": "edit", "text": "x" * (MAX_REVIEW_BYTES + 1), "feedback": ""})
    assert page.status_code == 409, page.text[:300]
    assert '<p class="help" id="action-hint">shorten it: move long tables' in page.text
