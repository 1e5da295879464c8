"""`research schedule add` refuses a schedule without a question, and says why an id is
refused. Found in a new user's trial: `research schedule add --every "day 08:00"` added a
daily report on the demo question about tardigrades (`run`'s documented default for a
first try, never a schedule's: README shows `schedule add "question"`), and `--id
scheduled-x` was "Invalid schedule id 'scheduled-x'" with the hint "choose another --id",
never saying that ids starting with 'scheduled-' are reserved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app
from durable_research.client.schedules import check_schedule_id
from durable_research.errors import UserError
from tests.unit.cli.test_schedule_no_web import _env, added  # noqa: F401 - the fixture


@pytest.mark.parametrize("question", [[], ["  "]])
def test_a_schedule_without_a_question_is_refused(
        added: list[object], tmp_path: Path, question: list[str]) -> None:  # noqa: F811
    result = CliRunner().invoke(build_app(), ["schedule", "add", *question, "--every",
                                              "day 08:00", "--depth", "quick"],
                                env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert "A schedule needs a question" in result.output and added == []


def test_a_reserved_id_says_it_is_reserved() -> None:
    with pytest.raises(UserError) as refused:
        check_schedule_id("scheduled-x")
    assert refused.value.message == ("Invalid schedule id 'scheduled-x': ids starting with "
                                     "'scheduled-' are reserved for scheduled reports")
    assert refused.value.hint == "choose another --id"


def test_a_malformed_id_keeps_its_hint() -> None:
    with pytest.raises(UserError) as refused:
        check_schedule_id("bad id")
    assert refused.value.message == "Invalid schedule id 'bad id'"
    assert refused.value.hint.startswith("use up to 200 letters")
