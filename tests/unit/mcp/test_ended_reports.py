"""MCP's answers about a report that ended without a result (cancelled, terminated, failed)
offer no step it cannot take. Found in a new user's trial: for a report cancelled at its
plan review, get_plan said "it waits for your review: review_plan" and get_report "has no
result yet (step: waiting for plan review)", hint "get_status(id, wait=60) until it is
completed", which it never will be."""

from __future__ import annotations

from typing import Any

import pytest

from durable_research import client as rc
from durable_research.client.reports import ReportState
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus
from durable_research.contract.research import ResearchProgress
from durable_research.errors import ReportEndedError, UserError
from durable_research.mcp import render, tools

ID = "report-0123456789ab"


def _state(status: RunStatus) -> ReportState:
    return ReportState(ID, status, query=ReportStatus(
        step=ReportStep.PLAN_REVIEW, research=ResearchProgress(plan=["What is it?"])))


@pytest.mark.parametrize("status", [RunStatus.CANCELED, RunStatus.TERMINATED])
def test_the_plan_of_an_ended_report_waits_for_no_review(status: RunStatus) -> None:
    text = render.plan_text(_state(status))
    assert "review_plan" not in text and "waits" not in text, text
    assert f"it has ended ({status})" in text and "1. What is it?" in text, text


def test_the_plan_of_a_running_report_still_asks_for_its_review() -> None:
    assert "it waits for your review: review_plan" in render.plan_text(_state(RunStatus.RUNNING))


@pytest.mark.parametrize("status", [RunStatus.CANCELED, RunStatus.FAILED])
async def test_the_report_of_an_ended_run_is_not_awaited(
        monkeypatch: pytest.MonkeyPatch, status: RunStatus) -> None:
    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> ReportState:
        return _state(status)

    monkeypatch.setattr(rc, "describe_report", describe)
    with pytest.raises(ReportEndedError) as refused:
        await tools.finished(object(), ID)  # type: ignore[arg-type]  # describe_report is faked
    assert refused.value.message == f"Report {ID} ended ({status}) without a report"
    # The tool's error names get_status as its pointer (render.tool_error).
    assert refused.value.workflow_id == ID


async def test_a_running_report_is_still_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> ReportState:
        return _state(RunStatus.RUNNING)

    monkeypatch.setattr(rc, "describe_report", describe)
    with pytest.raises(UserError) as refused:
        await tools.finished(object(), ID)  # type: ignore[arg-type]  # describe_report is faked
    assert "has no result yet" in refused.value.message
    assert "until it is completed" in refused.value.hint
