"""`research list` and `research schedule list` print ids whole in a narrow terminal: an id
is what the user copies into the next command. Found in a new user's trial: in 80 columns
`research list` showed "report-10b04f…" (and the report's location "s3://nu7-buck…"), so
no listed report could be named without widening the terminal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app, common
from durable_research.client import schedules
from durable_research.client.reports import ReportSummary
from durable_research.client.schedules import ScheduleSummary
from durable_research.contract.report import RunStatus

REPORT = "report-10b04fa4cbf1"
RUN = "scheduled-sched-9a0f7bdb-2026-12-07T20:31:32Z"
WHERE = ("s3://nu7-bucket/research (http://127.0.0.1:18500) runs/report-10b04fa4cbf1/"
         "report/01a25231/how-do-tardigrades-survive-drying-10b04fa4cbf1.pdf")


class Conn:
    client: Any = object()
    embedded = None


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """An 80-column terminal, and a server with one report and one schedule."""
    async def connect(*_: object, **__: object) -> Conn:
        return Conn()

    async def reports(client: Any, limit: int = 20) -> list[ReportSummary]:
        return [ReportSummary(REPORT, RunStatus.COMPLETED, "2026-12-07 20:45:53",
                              "How do tardigrades survive drying out in the desert, and "
                              "for how long?", WHERE),
                ReportSummary(RUN, RunStatus.COMPLETED, "2026-12-07 20:31:32",
                              "What is new about tardigrades?")]

    async def scheds(client: Any) -> list[ScheduleSummary]:
        return [ScheduleSummary(schedule_id="sched-9a0f7bdb", question="What is new about "
                                "tardigrades in the research of this year?", every="30m",
                                tz="", paused=False, running=[],
                                next_run=datetime(2026, 12, 7, 21, tzinfo=UTC),
                                last_run=RUN,
                                last_run_at=datetime(2026, 12, 7, 20, 31, tzinfo=UTC))]

    monkeypatch.setattr(rc, "connect", connect)
    monkeypatch.setattr(rc, "list_reports", reports)
    monkeypatch.setattr(schedules, "list_schedules", scheds)
    monkeypatch.setattr(common.console, "width", 80)


def test_report_ids_are_whole_and_locations_said_where(narrow: None) -> None:
    result = CliRunner().invoke(build_app(), ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(REPORT in line for line in lines), result.output
    assert any(RUN in line for line in lines), result.output
    assert "…" not in result.output, result.output
    # No room for the location in 80 columns beside a scheduled run's id: it goes, and
    # the user is told where it is.
    assert "research status ID" in lines[-1], result.output


def test_a_wide_terminal_shows_the_location_whole(narrow: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "width", 300)
    result = CliRunner().invoke(build_app(), ["list"])
    assert result.exit_code == 0, result.output
    assert any(WHERE in line for line in result.output.splitlines()), result.output


def test_schedule_ids_are_whole(narrow: None) -> None:
    result = CliRunner().invoke(build_app(), ["schedule", "list"])
    assert result.exit_code == 0, result.output
    assert any("sched-9a0f7bdb" in line for line in result.output.splitlines())
    assert "…" not in result.output, result.output
