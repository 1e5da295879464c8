"""A decision the report refuses gets a hint in the HTTP API's names (the API answered
"Invalid answers: 4 answers for 2 question(s)" with no hint)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from durable_research.client import updates
from durable_research.client.reports import RUNNING, ReportState
from durable_research.errors import FailureType
from durable_research.web import api
from tests.support.api_client import api_client as api_client_of

ID = "report-0123456789ab"


class Refusing:
    """A Temporal client whose report refuses every Update with ``cause``."""

    def __init__(self) -> None:
        self.cause: BaseException = ApplicationError("unset")

    def get_workflow_handle(self, workflow_id: str) -> Refusing:
        return self

    async def execute_update(self, *_: object, **__: object) -> Any:
        raise WorkflowUpdateFailedError(self.cause)


class State:
    status = RUNNING
    task_queue = "research"


@pytest.fixture
def refusing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[tuple[TestClient, Refusing]]:
    report = Refusing()

    async def temporal(*_: object) -> Refusing:
        return report

    async def describe(*_: object, **__: object) -> State:
        return State()

    async def worker(*_: object, **__: object) -> None:
        return None

    with api_client_of(tmp_path, monkeypatch) as client:
        monkeypatch.setattr(api, "temporal", temporal)
        monkeypatch.setattr(updates, "describe_report", describe)
        monkeypatch.setattr(updates, "require_worker", worker)
        yield client, report


def test_too_many_answers_say_how_to_send_them(refusing: tuple[TestClient, Refusing]) -> None:
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
        refusing: tuple[TestClient, Refusing]) -> None:
    client, report = refusing
    report.cause = ApplicationError("This report is not waiting for plan review (step: "
                                    "writing sections)", type=FailureType.WRONG_STATE)
    refused = client.post(f"/api/v1/reports/{ID}/plan", json={"action": "approve"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["hint"] == (f"GET /api/v1/reports/{ID} shows what the report is "
                                      "waiting for")


def test_the_page_shows_what_to_do_under_the_refusal(
        refusing: tuple[TestClient, Refusing], monkeypatch: pytest.MonkeyPatch) -> None:
    from durable_research.contract.report import ReportStatus, ReportStep, RunStatus
    from durable_research.web import review

    client, report = refusing
    report.cause = ApplicationError("Invalid answers: 4 answers for 2 question(s)", 2)

    async def temporal(*_: object) -> Refusing:
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
