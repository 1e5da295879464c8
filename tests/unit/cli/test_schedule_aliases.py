"""`research schedule remove`/`rm` delete, as a user tries first (click's guess for
"remove" was "Did you mean 'resume'?"); the listing names only `delete`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app

ENV = {"COLUMNS": "100", "TERM": "dumb"}


@pytest.mark.parametrize("alias", ["remove", "rm"])
def test_remove_and_rm_are_delete(alias: str) -> None:
    aliased = CliRunner().invoke(build_app(), ["schedule", alias, "--help"], env=ENV)
    assert aliased.exit_code == 0, aliased.output
    assert f"schedule {alias} [OPTIONS] {{schedule_id}}" in aliased.output
    assert "Delete the schedule (its reports stay" in aliased.output


def test_only_delete_is_listed() -> None:
    listing = CliRunner().invoke(build_app(), ["schedule", "--help"], env=ENV).output
    assert "delete" in listing
    assert " remove " not in listing and " rm " not in listing
