"""`research start` hands its report to a worker with the settings as they are now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, reports
from durable_research.config import Settings
from durable_research.embedded import local_worker


def test_start_makes_the_supervised_worker_serve_the_current_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It only looked for a running supervisor: after a changed LLM_API_BASE the report ran
    on the worker started with the old one (found in a new user's trial)."""
    seen: list[Settings] = []

    class Handle:
        id = "report-started"

    async def fake_start(settings: Settings, params: Any, workflow_id: Any,
                         quiet: bool = False) -> tuple[None, Handle]:
        return None, Handle()

    def ensure_worker(settings: Settings, workers: int = 1) -> object:
        seen.append(settings)
        return object()

    monkeypatch.setattr(reports, "_start", fake_start)
    monkeypatch.setattr(local_worker, "ensure_worker", ensure_worker)
    env = {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
           "LLM_API_BASE": "http://127.0.0.1:1/v1", "RESEARCH_ENV_FILE": "/dev/null",
           "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
           "RESEARCH_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(build_app(), ["start", "a question", "--depth", "quick"],
                                env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("report-started")
    assert [s.llm_api_base for s in seen] == ["http://127.0.0.1:1/v1"]
