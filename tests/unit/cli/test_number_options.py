"""Every bounded number option says what it wants in one line, never click's "'x' is not
a valid int range" (found in a new user's trial), and never a traceback:
`research codec-server --port 70000` ended in "OverflowError: bind(): port must be
0-65535"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app


@pytest.mark.parametrize(("args", "said"), [
    (["list", "--limit", "x"], "--limit: 'x' is not a whole number from 1 to 1000"),
    (["list", "--limit", "0"], "--limit: 0 is not from 1 to 1000"),
    (["web", "--port", "abc"], "--port: 'abc' is not a whole number from 0 to 65535"),
    (["web", "--port", "70000"], "--port: 70000 is not from 0 to 65535"),
    (["mcp", "--http", "--port=-1"], "--port: -1 is not from 0 to 65535"),
    (["codec-server", "--port", "70000"], "--port: 70000 is not from 0 to 65535"),
    (["codec-server", "--port", "x"], "--port: 'x' is not a whole number from 0 to 65535")])
def test_a_bounded_number_says_its_range(tmp_path: Path, args: list[str], said: str) -> None:
    env = {"RESEARCH_ENV_FILE": "/dev/null", "RESEARCH_CONFIG_FILE": str(tmp_path / "c.env"),
           "RESEARCH_DATA_DIR": str(tmp_path / "data"), "TEMPORAL_ADDRESS": "127.0.0.1:9",
           "RESEARCH_EMBEDDED": "never", "COLUMNS": "200"}
    result = CliRunner().invoke(build_app(), args, env=env)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == f"Error: {said}"
    assert "Traceback" not in result.output and "Invalid value" not in result.output
