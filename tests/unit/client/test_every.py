"""``--every`` and ``--tz``: the grammar read into a typed spec, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from durable_research.client.every import (
    EVERY_HINT,
    WEEKDAYS,
    Every,
    Weekday,
    parse_every,
    parse_tz,
)
from durable_research.client.present import SCHEDULE_COLUMNS, format_when, schedule_rows
from durable_research.client.reports import check_report_id, check_workflow_id
from durable_research.client.schedules import ScheduleSummary, check_schedule_id, schedule_spec
from durable_research.contract.report import schedule_action_id, scheduled_action_of
from durable_research.errors import UserError


@pytest.mark.parametrize(("raw", "expected"), [
    ("day 08:00", Every("day 08:00", hour=8, minute=0)),
    ("  DAY   8:05 ", Every("day 08:05", hour=8, minute=5)),
    ("mon 08:00", Every("mon 08:00", days=(Weekday.MON,), hour=8)),
    ("thu,mon 18:30", Every("mon,thu 18:30", days=(Weekday.MON, Weekday.THU), hour=18,
                            minute=30)),
    ("mon, thu 18:30", Every("mon,thu 18:30", days=(Weekday.MON, Weekday.THU), hour=18,
                             minute=30)),
    ("sun,sat 00:00", Every("sat,sun 00:00", days=(Weekday.SAT, Weekday.SUN), hour=0)),
    ("weekdays 07:30", Every("weekdays 07:30", days=WEEKDAYS, hour=7, minute=30)),
    ("mon,tue,wed,thu,fri 07:30", Every("weekdays 07:30", days=WEEKDAYS, hour=7, minute=30)),
    ("hour", Every("hour")),
    ("1h", Every("1h", interval=timedelta(hours=1))),
    ("30m", Every("30m", interval=timedelta(minutes=30))),
    ("12 H", Every("12h", interval=timedelta(hours=12))),
])
def test_grammar(raw: str, expected: Every) -> None:
    assert parse_every(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("", "--every is required"),
    ("monday 08:00", "'monday' is not a day"),
    ("mon,xyz 08:00", "'xyz' is not a day"),
    ("mon 25:00", "'25:00' is not a time of day"),
    ("day 08:61", "'08:61' is not a time of day"),
    ("day", "not a day and a time"),
    ("08:00", "not a day and a time"),
    ("every monday", "not a day and a time"),
    ("5m", "an interval must be between 15m"),
    ("0h", "an interval must be between 15m"),
    ("1000h", "an interval must be between 15m"),
    ("1d", "not a day and a time"),
    ("0 8 * * 1", "not a day and a time"),
])
def test_bad_input_is_one_line_with_the_grammar_as_hint(raw: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_every(raw)
    assert message in caught.value.message and "\n" not in caught.value.message
    assert caught.value.hint == EVERY_HINT


def test_time_zone_is_checked_with_zoneinfo() -> None:
    clock = parse_every("mon 08:00")
    assert parse_tz(None, clock) == "UTC"
    assert parse_tz(" Europe/Berlin ", clock) == "Europe/Berlin"
    for bad in ("Mars/Base", "", "../etc/passwd"):
        with pytest.raises(UserError, match="Unknown time zone"):
            parse_tz(bad, clock)
    with pytest.raises(UserError, match="--tz has no effect on the interval '1h'"):
        parse_tz("Europe/Berlin", parse_every("1h"))
    assert parse_tz("Asia/Kolkata", parse_every("hour")) == "Asia/Kolkata"


def test_specs_for_temporal() -> None:
    spec = schedule_spec(parse_every("mon,thu 18:30"), "Europe/Berlin")
    (cal,) = spec.calendars
    assert spec.time_zone_name == "Europe/Berlin" and not spec.intervals
    assert [(r.start, r.end) for r in cal.day_of_week] == [(1, 1), (4, 4)]
    assert [(r.start, r.end) for r in cal.hour] == [(18, 18)]
    assert [(r.start, r.end) for r in cal.minute] == [(30, 30)]
    hourly = schedule_spec(parse_every("hour"), "UTC").calendars[0]
    assert [(r.start, r.end) for r in hourly.hour] == [(0, 23)]
    assert [(r.start, r.end) for r in hourly.day_of_week] == [(0, 6)]
    every = schedule_spec(parse_every("30m"), "UTC")
    assert not every.calendars and every.intervals[0].every == timedelta(minutes=30)


def test_schedule_rows() -> None:
    at = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    active = ScheduleSummary("sched-1", every="mon 08:00", tz="Europe/Berlin", question="Q?",
                             next_run=at, last_run="report-sched-1-x", last_run_at=at)
    paused = ScheduleSummary("sched-2", every="1h", paused=True, next_run=at)
    running = ScheduleSummary("sched-3", every="day 08:00", tz="UTC", running=["r"])
    rows = schedule_rows([active, paused, running])
    assert all(len(r) == len(SCHEDULE_COLUMNS) for r in rows)
    assert rows[0] == ("sched-1", "mon 08:00", "Europe/Berlin", "active", "2026-12-07 08:00",
                       "report-sched-1-x (2026-12-07 08:00)", "Q?")
    assert rows[1][2:6] == ("UTC", "paused", "-", "-")
    assert rows[2][3] == "running"
    assert format_when(None) == "-"


def test_scheduled_run_ids_are_reserved_and_recognised() -> None:
    run = "scheduled-sched-1-2026-12-07T07:00:00Z"
    assert scheduled_action_of(run) == schedule_action_id("sched-1") == "scheduled-sched-1"
    assert check_report_id(run) == run and check_report_id("report-1") == "report-1"
    with pytest.raises(UserError, match="reserved for scheduled reports"):
        check_workflow_id("scheduled-mine")
    for bad in ("scheduled-sched-1-2026-12-07", "x/y", ""):
        with pytest.raises(UserError):
            check_report_id(bad)
    with pytest.raises(UserError, match="Invalid schedule id"):
        check_schedule_id("no spaces")
