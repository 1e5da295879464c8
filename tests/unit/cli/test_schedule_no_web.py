"""`research schedule add --sources DIR --no-web` keeps every run to the documents, as
`research start --no-web` does, with the same check (without --sources it is refused).
Found in a new user's trial: `schedule add` had no --no-web ("No such option"), so a
schedule over one's own documents also searched the web whenever a provider was set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, schedule
from durable_research.client import schedules
from durable_research.contract.report import ReportInput
from durable_research.embedded import local_worker


def _env(tmp_path: Path) -> dict[str, str]:
    return {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
            "LLM_API_BASE": "http://127.0.0.1:1/v1", "RESEARCH_ENV_FILE": "/dev/null",
            "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"),
            "RESEARCH_STORE": str(tmp_path / "store"), "SEARCH_PROVIDER": "none"}


@pytest.fixture
def added(monkeypatch: pytest.MonkeyPatch) -> list[ReportInput]:
    """The report inputs schedules were added with (nothing reaches Temporal)."""
    seen: list[ReportInput] = []

    class Conn:
        client: Any = None

    async def no_connection(settings: Any, **kwargs: Any) -> Conn:
        return Conn()

    async def add_schedule(client: Any, settings: Any, params: ReportInput,
                           *args: Any) -> Any:
        seen.append(params)
        raise SystemExit(0)  # what it prints next is not this test's

    monkeypatch.setattr(schedule, "connect_cli", no_connection)
    monkeypatch.setattr(local_worker, "ensure_worker", lambda settings, workers=1: None)
    monkeypatch.setattr(schedules, "add_schedule", add_schedule)
    return seen


def test_no_web_keeps_a_schedule_to_its_documents(added: list[ReportInput],
                                                   tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tardigrades.md").write_text("# Tardigrades\n\nThey survive drying out.\n")
    result = CliRunner().invoke(build_app(), [
        "schedule", "add", "What is new?", "--every", "day 08:00", "--sources", str(docs),
        "--no-web"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert [p.web for p in added] == [False] and added[0].collection


def test_no_web_without_documents_is_refused(added: list[ReportInput],
                                             tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(), [
        "schedule", "add", "What is new?", "--every", "day 08:00", "--no-web"],
        env=_env(tmp_path))
    assert result.exit_code == 2, result.output
    assert "--no-web" in result.output and added == []
