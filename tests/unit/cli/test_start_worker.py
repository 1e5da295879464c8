"""`research start` and `run` hand their report to a worker with the settings as they are
now, and start none when the background worker refuses them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, reports
from durable_research.config import Settings
from durable_research.embedded import local_worker
from durable_research.errors import UserError


def _env(tmp_path: Path) -> dict[str, str]:
    return {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
            "LLM_API_BASE": "http://127.0.0.1:1/v1", "RESEARCH_ENV_FILE": "/dev/null",
            "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"), "SEARCH_PROVIDER": "none"}


async def _no_connection(settings: Settings, **kwargs: Any) -> None:
    return None


def test_start_makes_the_supervised_worker_serve_the_current_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It only looked for a running supervisor: after a changed LLM_API_BASE the report ran
    on the worker started with the old one (found in a new user's trial)."""
    seen: list[Settings] = []

    class Handle:
        id = "report-started"

    async def fake_start(settings: Settings, params: Any, workflow_id: Any,
                         quiet: bool = False, conn: Any = None) -> tuple[None, Handle]:
        return None, Handle()

    def ensure_worker(settings: Settings, workers: int = 1) -> object:
        seen.append(settings)
        return object()

    monkeypatch.setattr(reports, "_start", fake_start)
    monkeypatch.setattr(local_worker, "ensure_worker", ensure_worker)
    monkeypatch.setattr(reports, "connect_cli", _no_connection)
    result = CliRunner().invoke(build_app(), ["start", "a question", "--depth", "quick"],
                                env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("report-started")
    assert [s.llm_api_base for s in seen] == ["http://127.0.0.1:1/v1"]


@pytest.mark.parametrize("command", ["start", "run"])
def test_a_refused_worker_starts_no_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    """The refusal (other security settings than the background worker's) came after the
    start: the user read "refused" while the old worker ran the report with its own
    settings (MCP_SERVERS unset: no MCP tools; found in a new user's trial)."""
    started: list[str] = []

    async def fake_start(settings: Settings, params: Any, workflow_id: Any,
                         quiet: bool = False, conn: Any = None) -> tuple[None, Any]:
        started.append(params.prompt)
        raise AssertionError("a report was started")

    def refusing_worker(settings: Settings, workers: int = 1) -> object:
        raise UserError("The background worker runs with other security settings than this "
                        "command: MCP_SERVERS differ", "research server --stop")

    monkeypatch.setattr(reports, "_start", fake_start)
    monkeypatch.setattr(reports, "connect_cli", _no_connection)
    monkeypatch.setattr(local_worker, "ensure_worker", refusing_worker)
    result = CliRunner().invoke(build_app(), [command, "a question", "--depth", "quick"],
                                env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert "MCP_SERVERS differ" in result.output
    assert started == []


@pytest.mark.parametrize("args", [["add", "a question", "--every", "day 08:00"],
                                  ["trigger", "sched-1"]])
def test_a_refused_worker_gets_no_schedule_and_no_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]
) -> None:
    """`schedule add` and `trigger` likewise ask the worker before they act."""
    from durable_research.cli import schedule
    from durable_research.client import schedules

    acted: list[str] = []

    async def act(*a: Any, **kw: Any) -> None:
        acted.append(args[0])
        raise AssertionError("the schedule was changed")

    def refusing_worker(settings: Settings, workers: int = 1) -> object:
        raise UserError("other security settings: MCP_SERVERS differ", "research server --stop")

    monkeypatch.setattr(schedules, "add_schedule", act)
    monkeypatch.setattr(schedules, "trigger_schedule", act)
    monkeypatch.setattr(schedule, "connect_cli", _no_connection)
    monkeypatch.setattr(local_worker, "ensure_worker", refusing_worker)
    result = CliRunner().invoke(build_app(), ["schedule", *args], env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert "MCP_SERVERS differ" in result.output
    assert acted == []
