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
    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> reports.ReportState:
        state = reports.ReportState(workflow_id, RunStatus.CANCELED)
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


@pytest.mark.parametrize("status", [WorkflowExecutionStatus.CANCELED,
                                    WorkflowExecutionStatus.TERMINATED])
async def test_a_closed_run_says_how_far_it_got_and_runs_nothing(
        monkeypatch: pytest.MonkeyPatch, status: WorkflowExecutionStatus) -> None:
    """The one description the CLI, the page, the API and MCP read: the status query of
    a run that ended early (a worker answers it for a closed run), and no pending
    activity shown as running."""
    pending = [PendingActivityInfo(activity_id=str(n)) for n in range(3)]
    for p in pending:
        p.activity_type.name = "write_section"
        p.attempt = 1

    class Handle:
        async def describe(self) -> Any:
            raw = SimpleNamespace(pending_activities=pending,
                                  execution_config=SimpleNamespace(
                                      task_queue=SimpleNamespace(name="research")))
            return SimpleNamespace(status=status, raw_description=raw)

        async def query(self, name: str, **_: object) -> ReportStatus:
            return ReportStatus(step=ReportStep.SOURCES, history=["... q1 done"])

    class Client:
        def get_workflow_handle(self, workflow_id: str, **_: object) -> Handle:
            return Handle()

    async def no_memo(desc: Any, unreadable: str) -> str:
        return "a question"

    monkeypatch.setattr(reports, "memo_question", no_memo)
    state = await reports.describe_report(Client(), ID)  # type: ignore[arg-type]
    assert state.pending == []
    assert state.query is not None and state.query.history == ["... q1 done"]


@pytest.mark.parametrize(("embedded", "needle"), [
    (True, "`research server` starts the embedded server's worker"),
    (False, "`research worker`")])
def test_status_with_no_worker_says_how_to_start_one(
        monkeypatch: pytest.MonkeyPatch, embedded: bool, needle: str) -> None:
    """After `research server --stop` (or a reboot) `research status` of a running report
    starts the server, not its worker, and said only "step unknown (no worker is
    answering queries)": nothing said how to let the report go on (a new user's trial)."""
    from durable_research.embedded import local_worker

    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> reports.ReportState:
        return reports.ReportState(workflow_id, RunStatus.RUNNING)

    monkeypatch.setattr(rc, "connect", _connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    monkeypatch.setattr(local_worker, "embedded_mode", lambda settings: embedded)
    result = CliRunner().invoke(build_app(), ["status", ID],
                                env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    assert "no worker is answering" in result.output
    assert needle in result.output, result.output
