"""A decision the report refuses tells the assistant which tool call to make instead
(the tools answered "Invalid answers: 4 answers for 2 question(s)" with no hint)."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.client import updates
from durable_research.contract.report import ReportStatus, ReportStep
from durable_research.contract.review import (
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_REVIEW,
    UPDATE_REVIEW_PLAN,
)
from durable_research.errors import FailureType, UserError
from durable_research.mcp import render
from tests.support.refusing import RefusingReport, report_runs_with_a_worker

ID = "report-0123456789ab"


def _refused(monkeypatch: pytest.MonkeyPatch, update: str, cause: BaseException,
             waiting: ReportStatus | None = None) -> str:
    report_runs_with_a_worker(monkeypatch, waiting)
    with pytest.raises(UserError) as refused:
        asyncio.run(updates.run_update(RefusingReport(cause), ID, update, [], list,  # type: ignore[arg-type]  # only get_workflow_handle is used
                                       "Not accepted"))
    return render.error_text(refused.value)


def test_too_many_answers_name_the_call_to_make(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(monkeypatch, UPDATE_ANSWER_QUESTIONS, ApplicationError(
        "Invalid answers: 3 answers for 1 question(s)", 1))
    assert text == ("Not accepted: Invalid answers: 3 answers for 1 question(s). Hint: answer "
                    "the one question, at most 1000 characters each: "
                    f"answer_questions(id='{ID}', answers=['ANSWER 1'])")


def test_a_review_out_of_turn_points_at_get_status(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(monkeypatch, UPDATE_REVIEW, ApplicationError(
        "This report is not waiting for review (step: planning)",
        type=FailureType.WRONG_STATE))
    assert text.endswith(f"Hint: get_status(id='{ID}') shows what the report is waiting for")


def test_a_plan_review_out_of_turn_names_the_draft_review(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(monkeypatch, UPDATE_REVIEW_PLAN, ApplicationError(
        "This report is not waiting for plan review (step: waiting for review)",
        type=FailureType.WRONG_STATE), ReportStatus(step=ReportStep.REVIEW))
    assert text.endswith(f"Hint: it waits for its draft review: review_draft(id='{ID}', "
                         "action='approve')"), text
