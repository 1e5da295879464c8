"""`research server --help` and `research worker --help` say what the README says (found
in a new user's trial: "--stop  Stop the embedded server." while it stops the supervised
worker and the offline model too; "--task-queue  Task queue to poll." without the
default that its own refusal of a blank name then names)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app

ENV = {"COLUMNS": "400", "TERM": "dumb"}


def _line(args: list[str], option: str) -> str:
    out = CliRunner().invoke(build_app(), [*args, "--help"], env=ENV).output
    return next(ln for ln in out.splitlines() if option in ln)


def test_server_stop_names_everything_it_stops() -> None:
    line = _line(["server"], "--stop")
    assert "worker" in line and "offline model" in line, line


def test_worker_task_queue_names_its_default() -> None:
    line = _line(["worker"], "--task-queue")
    assert "TEMPORAL_TASK_QUEUE" in line and "'research'" in line, line


def test_doctor_help_names_every_kind_of_check_it_runs() -> None:
    # It said "configuration, Temporal, workers, LLM, SMTP, output and fonts" while it also
    # checks the payload key, the store, web search, MCP servers and the embedding model.
    out = " ".join(CliRunner().invoke(build_app(), ["doctor", "--help"], env=ENV).output.split())
    for kind in ("Payload encryption", "artifact store", "web search", "MCP servers",
                 "embedding model"):
        assert kind in out, kind


def test_server_stop_refuses_ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found in a new user's trial: `research server --ui --stop` stopped everything and
    # said nothing of --ui, which asks for the opposite (a server with its Web UI).
    monkeypatch.setenv("RESEARCH_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(build_app(), ["server", "--stop", "--ui"], env=ENV)
    assert result.exit_code != 0
    out = " ".join(result.output.split())
    assert "--ui" in out and "--stop" in out, out
    assert "stopped" not in out.lower() and "not running" not in out, out
