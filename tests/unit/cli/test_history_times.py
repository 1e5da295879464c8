"""`research result ID` shows each step's time since the report started (its history's own
stamps); it printed this command's elapsed time for every replayed line ("0.1 s" for all
the steps of a report that took minutes)."""

from __future__ import annotations

import pytest

from durable_research.cli import progress
from durable_research.cli.common import console

HISTORY = [
    "2026-12-07T10:00:00Z started",
    "2026-12-07T10:00:05Z plan: 3 sub-questions",
    "2026-12-07T10:01:42Z pdf written",
]


def test_a_report_started_earlier_shows_its_own_step_times() -> None:
    with console.capture() as out:
        printed = progress._print_history(HISTORY, 0, None)
    assert printed == 3
    lines = out.get().splitlines()
    assert [line.rsplit("(", 1)[1] for line in lines] == ["0 s)", "5 s)", "102 s)"]
    assert "plan: 3 sub-questions" in lines[1]


def test_a_report_this_command_started_shows_the_time_since_the_command() -> None:
    assert progress.format_elapsed(HISTORY[2], HISTORY[0], 100.0, 103.25) == "3.2 s"


@pytest.mark.parametrize("line", ["no stamp here", "2026-13-40T99:00:00Z bad date"])
def test_an_entry_without_a_stamp_has_no_time(line: str) -> None:
    assert progress.format_elapsed(line, HISTORY[0], None, 0.0) == "-"
