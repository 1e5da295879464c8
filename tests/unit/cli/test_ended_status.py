"""`research status` of a report that was cancelled (or failed, or terminated) shows how
far it got, as `research result`'s hint promises ("`research status ID` shows how far it
got"), and no activity as "running". Found in a new user's trial: after `research cancel`
the status was two lines and three "running  write_section: attempt 1" rows, the
activities pending when the run was cancelled, which no worker runs any more."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.api.workflow.v1 import PendingActivityInfo
from temporalio.client import WorkflowExecutionStatus
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app
from durable_research.client import reports
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus

ID = "report-0123456789ab"


class Conn:
    client: Any = object()
    embedded = None


async def _connect(*_: object, **__: object) -> Conn:
    return Conn()


def test_status_of_a_cancelled_report_shows_how_far_it_got(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool | None] = []

    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> reports.ReportState:
        asked.append(with_query)
        state = reports.ReportState(workflow_id, RunStatus.CANCELED)
        if with_query:  # a worker answers the query of a closed run too
            state.query = ReportStatus(step=ReportStep.SOURCES, history=[
                "2026-12-07T20:27:53Z step: planning",
                "2026-12-07T20:27:54Z plan: 4 sub-questions",
                "2026-12-07T20:27:58Z q1 done: 3 sources quoted"])
        return state

    monkeypatch.setattr(rc, "connect", _connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    result = CliRunner().invoke(build_app(), ["status", ID],
                                env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    assert "canceled" in result.output
    assert "q1 done: 3 sources quoted" in result.output, result.output
    assert True in asked


async def test_a_closed_run_lists_no_running_activity(monkeypatch: pytest.MonkeyPatch) -> None:
    pending = [PendingActivityInfo(activity_id=str(n)) for n in range(3)]
    for p in pending:
        p.activity_type.name = "write_section"
        p.attempt = 1

    class Handle:
        async def describe(self) -> Any:
            raw = SimpleNamespace(pending_activities=pending,
                                  execution_config=SimpleNamespace(
                                      task_queue=SimpleNamespace(name="research")))
            return SimpleNamespace(status=WorkflowExecutionStatus.CANCELED,
                                   raw_description=raw)

    class Client:
        def get_workflow_handle(self, workflow_id: str, **_: object) -> Handle:
            return Handle()

    async def no_memo(desc: Any, unreadable: str) -> str:
        return "a question"

    monkeypatch.setattr(reports, "memo_question", no_memo)
    state = await reports.describe_report(Client(), ID)  # type: ignore[arg-type]
    assert state.status == RunStatus.CANCELED
    assert state.pending == []
