"""`research result` of a report that ended while it waited for a decision shows no call to
make it. Found in a new user's trial: a report cancelled while it waited for plan review,
followed with `research result ID`, printed "Research plan waiting for review: ... Approve
with `research plan ID --approve` ..." and only then "The report was cancelled"; one
cancelled at its clarifying questions would have asked them at the terminal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from durable_research.cli import progress
from durable_research.client.reports import ReportState
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus

ID = "report-0123456789ab"


class Spinner:
    def update(self, text: str) -> None: ...
    def stop(self) -> None: ...
    def start(self) -> None: ...


def _shown(status: RunStatus, step: ReportStep, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    prompted: list[str] = []

    async def questions(conn: Any, workflow_id: str, asked: list[str]) -> None:
        prompted.append("questions")

    async def review(conn: Any, workflow_id: str, interactive: bool) -> None:
        prompted.append("review")

    monkeypatch.setattr(progress, "_questions_prompt", questions)
    monkeypatch.setattr(progress, "_review_prompt", review)
    monkeypatch.setattr(progress, "_plan_prompt", lambda state, workflow_id:
                        prompted.append("plan"))
    state = ReportState(ID, status, query=ReportStatus(step=step, questions=["Which?"]))
    asyncio.run(progress._Shown(None).show(state, Spinner(), object(), ID, False))  # type: ignore[arg-type]  # the spinner's three calls only; conn unused here
    return prompted


@pytest.mark.parametrize("status", [RunStatus.CANCELED, RunStatus.TERMINATED,
                                    RunStatus.FAILED, RunStatus.TIMED_OUT])
@pytest.mark.parametrize("step", [ReportStep.CLARIFY, ReportStep.PLAN_REVIEW,
                                  ReportStep.REVIEW])
def test_an_ended_report_is_not_offered_a_decision(
        monkeypatch: pytest.MonkeyPatch, status: RunStatus, step: ReportStep) -> None:
    assert _shown(status, step, monkeypatch) == []


@pytest.mark.parametrize(("step", "prompt"), [(ReportStep.CLARIFY, "questions"),
                                              (ReportStep.PLAN_REVIEW, "plan"),
                                              (ReportStep.REVIEW, "review")])
def test_a_running_report_that_waits_is_still_offered_it(
        monkeypatch: pytest.MonkeyPatch, step: ReportStep, prompt: str) -> None:
    assert _shown(RunStatus.RUNNING, step, monkeypatch) == [prompt]
