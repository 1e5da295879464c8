"""A decision the report refuses says what to do instead (a new user's trial: "Invalid
answers: 4 answers for 2 question(s)" and "not waiting for plan review (step: ...)" came
with no hint)."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app
from durable_research.cli import research as cli_research
from durable_research.cli import review as cli_review
from durable_research.contract.report import ReportStatus, ReportStep
from durable_research.errors import FailureType
from tests.support.refusing import RefusingReport, report_runs_with_a_worker, running_state

ID = "report-0123456789ab"


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """The refusal the report answers with (set by a test)."""
    cause: list[BaseException] = []

    async def connect(*_: object, **__: object) -> RefusingReport:
        return RefusingReport(cause[0])

    monkeypatch.setattr(cli_research, "connect_for_decision", connect)
    monkeypatch.setattr(cli_review, "connect_for_decision", connect)
    monkeypatch.setattr(rc, "describe_report", running_state)
    report_runs_with_a_worker(monkeypatch)
    return cause


def _refused(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args), env={"COLUMNS": "300", "TERM": "dumb"})
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


def test_too_many_answers_say_how_many_and_how(refusing: list[BaseException]) -> None:
    refusing.append(ApplicationError("Invalid answers: 4 answers for 2 question(s)", 2))
    out = _refused("answer", ID, "a", "b", "c", "d")
    assert "Answers not accepted: Invalid answers: 4 answers for 2 question(s)" in out
    assert (f'Hint: answer each of the 2 questions in order, at most 1000 characters each: '
            f'`research answer {ID} "ANSWER 1" "ANSWER 2"`') in out, out


def test_a_decision_out_of_turn_names_the_one_the_report_waits_for(
        refusing: list[BaseException], monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's trial: `research approve ID` on a report waiting for its plan review
    was told to look at `research status ID`, which then named `research plan`."""
    report_runs_with_a_worker(monkeypatch, ReportStatus(step=ReportStep.CLARIFY,
                                                        questions=["Which?", "Who?"]))
    refusing.append(ApplicationError(
        "This report is not waiting for plan review (step: waiting for answers)",
        type=FailureType.WRONG_STATE))
    out = _refused("plan", ID, "--approve")
    assert ("Hint: it waits for answers to its 2 clarifying questions: "
            f'`research answer {ID} "ANSWER 1" "ANSWER 2"`') in out, out


def test_a_draft_review_out_of_turn_names_the_plan_review(
        refusing: list[BaseException], monkeypatch: pytest.MonkeyPatch) -> None:
    report_runs_with_a_worker(monkeypatch, ReportStatus(step=ReportStep.PLAN_REVIEW))
    refusing.append(ApplicationError(
        "This report is not waiting for review (step: waiting for plan review)",
        type=FailureType.WRONG_STATE))
    out = _refused("approve", ID)
    assert (f"Hint: it waits for its plan review: `research plan {ID} --approve`, "
            "`--edit FILE` or `--reject`") in out, out


def test_a_decision_while_it_researches_points_at_its_status(
        refusing: list[BaseException], monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing to decide now (or no worker answers what it waits for): its status."""
    for step in (ReportStep.SOURCES, None):
        report_runs_with_a_worker(monkeypatch, ReportStatus(step=step) if step else None)
        refusing[:] = [ApplicationError(
            f"This report is not waiting for plan review (step: {step})",
            type=FailureType.WRONG_STATE)]
        out = _refused("plan", ID, "--approve")
        assert f"Hint: `research status {ID}` shows what the report is waiting for" in out, out


def test_a_refused_budget_raise_says_what_is_wanted(refusing: list[BaseException]) -> None:
    refusing.append(ApplicationError("max_usd can only be raised (now 1, asked 0.5)"))
    out = _refused("raise-budget", ID, "--usd", "0.5")
    assert ("Hint: give caps above the ones in force (0 keeps a cap): `research raise-budget "
            f"{ID} --usd USD --tokens N --pages N`; `research status {ID}` shows the report"
            ) in out, out
