"""`research result ID --download DIR` checks DIR before it waits for the report (found in
a new user's trial: with a folder it cannot create, the command waited for the report,
printed its whole result, and only then said "Cannot create /proc/nope"; on a running
report that is the whole run's wait for nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, reports
from durable_research.errors import UserError

REACHED = "the command went on to connect"


async def _stop_at_connect(*args: Any, **kwargs: Any) -> None:
    raise UserError(REACHED)


@pytest.fixture(autouse=True)
def _no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "connect_cli", _stop_at_connect)


def _env(tmp_path: Path) -> dict[str, str]:
    return {"RESEARCH_ENV_FILE": "/dev/null", "RESEARCH_CONFIG_FILE": str(tmp_path / "c.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "300"}


def test_a_file_given_as_the_folder_is_refused_before_connecting(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["result", "report-abc", "--download",
                                              str(a_file)], env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == f"Error: {a_file} is a file, not a folder"
    assert REACHED not in result.output


def test_a_folder_that_cannot_be_made_is_refused_before_connecting(tmp_path: Path) -> None:
    blocked = tmp_path / "notes.txt"
    blocked.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["result", "report-abc", "--download",
                                              str(blocked / "sub")], env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: Cannot create {blocked / 'sub'}")
    assert REACHED not in result.output


def test_a_good_folder_goes_on_to_connect(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(), ["result", "report-abc", "--download",
                                              str(tmp_path / "got")], env=_env(tmp_path))
    assert REACHED in result.output
