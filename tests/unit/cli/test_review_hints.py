"""A report that waits for a person says how to decide, wherever the person looks:
`research plan ID` and `research status ID` while the plan waits, `research status ID`
while the draft waits (which shows the draft once, not twice). Found in a new user's
trial: `research plan ID` listed the sub-questions and nothing else (`research answer ID`
says how to answer), `status` had an "answer with" row for questions only, and a draft
under review was printed twice: as "draft so far: 2 of 2 sections" and as "draft v1"."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app
from durable_research.client import draft
from durable_research.client.reports import ReportState
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus
from durable_research.contract.research import ResearchProgress

ID = "report-0123456789ab"
PLAN = ["How long do tardigrades live?", "How do tardigrades reproduce?"]


class Conn:
    client: Any = object()
    embedded = None


def _waiting(step: ReportStep) -> ReportStatus:
    research = ResearchProgress(plan=list(PLAN))
    if step == ReportStep.REVIEW:
        research.sections = ["sections/1", "sections/2"]
    return ReportStatus(step=step, research=research, versions=1,
                        draft="## How long do tardigrades live?\n\nA year or two [1].")


@pytest.fixture
def waiting(monkeypatch: pytest.MonkeyPatch) -> list[ReportStep]:
    """The step the report waits at (set by a test)."""
    step = [ReportStep.PLAN_REVIEW]

    async def connect(*_: object, **__: object) -> Conn:
        return Conn()

    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> ReportState:
        return ReportState(workflow_id, RunStatus.RUNNING, query=_waiting(step[0]))

    async def sections(settings: Any, workflow_id: str, research: Any) -> list[str]:
        return ["## How long do tardigrades live?\n\nA year or two [1]."]

    monkeypatch.setattr(rc, "connect", connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    monkeypatch.setattr(draft, "draft_sections_async", sections)
    return step


def _run(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args),
                                env={"COLUMNS": "300", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["plan", "status"])
def test_a_plan_waiting_for_review_says_how_to_decide(waiting: list[ReportStep],
                                                     command: str) -> None:
    out = _run(command, ID)
    assert PLAN[0] in out
    for decision in ("--approve", "--edit FILE", "--reject"):
        assert f"research plan {ID} {decision}" in out, out


def test_a_draft_waiting_for_review_is_shown_once_with_how_to_decide(
        waiting: list[ReportStep]) -> None:
    waiting[0] = ReportStep.REVIEW
    out = _run("status", ID)
    assert out.count("A year or two [1].") == 1, out
    assert f"research review {ID}" in out and f"research approve {ID}" in out, out


@pytest.mark.parametrize("questions", [["Which period?"], ["Which period?", "Who reads it?"]])
@pytest.mark.parametrize("command", ["answer", "status"])
def test_questions_waiting_for_answers_show_one_placeholder_each(
        monkeypatch: pytest.MonkeyPatch, questions: list[str], command: str) -> None:
    """A new user's trial: `status` said `research answer ID "..."` for two questions and
    `research answer ID` said `"ANSWER 1" "ANSWER 2" ...` for one."""

    async def connect(*_: object, **__: object) -> Conn:
        return Conn()

    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> ReportState:
        return ReportState(workflow_id, RunStatus.RUNNING, query=ReportStatus(
            step=ReportStep.CLARIFY, questions=questions,
            waiting_for_answers_since="2026-12-08T02:00:00+00:00"))

    monkeypatch.setattr(rc, "connect", connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    out = " ".join(_run(command, ID).split())
    placeholders = " ".join(f'"ANSWER {i}"' for i in range(1, len(questions) + 1))
    assert f"research answer {ID} {placeholders}" in out, out
    assert f'"ANSWER {len(questions) + 1}"' not in out and '"..."' not in out, out
    assert f"{placeholders} ..." not in out, out
