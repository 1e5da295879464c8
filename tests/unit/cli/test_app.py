"""The app ``main`` builds to run a report command holds the report commands alone, and
each behaves there as in the whole app (help and usage errors alike)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, reports


def _names(everything: bool) -> set[str]:
    return {c.name or (c.callback.__name__ if c.callback else "")
            for c in build_app(everything).registered_commands}


def test_the_report_commands_alone_are_reports_commands() -> None:
    assert _names(everything=False) == reports.COMMANDS
    assert reports.COMMANDS < _names(everything=True)


@pytest.mark.parametrize("args", [[name, "--help"] for name in sorted(reports.COMMANDS)]
                         + [["run", "--max-pages", "x", "q"], ["list", "--limit", "0"],
                            ["status"], ["run", "--bogus"]])
def test_a_report_command_answers_as_in_the_whole_app(args: list[str]) -> None:
    env = {"COLUMNS": "100", "TERM": "dumb"}
    alone = CliRunner().invoke(build_app(everything=False), args, env=env)
    whole = CliRunner().invoke(build_app(), args, env=env)
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert alone.output
