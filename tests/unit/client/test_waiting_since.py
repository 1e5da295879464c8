"""A report that waits for a person says since when, to the second and in UTC, for each
kind of wait. Found in a new user's trial: `research status` showed "waiting for review
since 2026-12-07T20:31:11.233302+00:00" (the workflow's ISO stamp with microseconds), and
nothing at all for a plan that had waited since the morning."""

from __future__ import annotations

from durable_research.client import present
from durable_research.client.reports import ReportState
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus

STAMP = "2026-12-07T20:31:11.233302+00:00"


def _rows(**since: str) -> dict[str, str]:
    query = ReportStatus(step=ReportStep.REVIEW, **since)  # type: ignore[arg-type]
    return dict(present.status_rows(ReportState("report-1", RunStatus.RUNNING, query=query)))


def test_each_wait_says_since_when_in_utc_seconds() -> None:
    assert _rows(waiting_for_review_since=STAMP)["waiting for review since"] == \
        "2026-12-07 20:31:11 UTC"
    assert _rows(waiting_for_plan_review_since=STAMP)["waiting for plan review since"] == \
        "2026-12-07 20:31:11 UTC"
    assert _rows(waiting_for_answers_since=STAMP)["waiting for answers since"] == \
        "2026-12-07 20:31:11 UTC"


def test_a_stamp_it_cannot_read_is_shown_as_it_is() -> None:
    assert _rows(waiting_for_review_since="soon")["waiting for review since"] == "soon"


def test_a_report_that_ended_while_waiting_says_it_was() -> None:
    """A new user's trial: `research status` of a report cancelled at its plan review said
    "waiting for plan review since ..." under "status canceled"."""
    query = ReportStatus(step=ReportStep.PLAN_REVIEW, waiting_for_plan_review_since=STAMP)
    rows = dict(present.status_rows(ReportState("report-1", RunStatus.CANCELED, query=query)))
    assert "waiting for plan review since" not in rows, rows
    assert rows["was waiting for plan review since"] == "2026-12-07 20:31:11 UTC"
