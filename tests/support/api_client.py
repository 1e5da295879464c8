"""The web app's HTTP API in process, with no Temporal server: for tests of what the API
answers before (or without) asking one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from durable_research.client import reports, updates
from durable_research.client.reports import ReportState
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.contract.report import RunStatus
from durable_research.web import api
from durable_research.web.app import create_app
from durable_research.web.context import WebContext

TOKEN = "t" * 32


async def _no_temporal(request: Any) -> None:
    return None


async def _completed(client: Any, workflow_id: str, with_query: bool = True) -> ReportState:
    return ReportState(workflow_id, RunStatus.COMPLETED)


@contextmanager
def api_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               completed: bool = False) -> Iterator[TestClient]:
    """A client of the API (with its token) whose Temporal client is none; ``completed``:
    every report it is asked about has completed."""
    monkeypatch.setattr(api, "temporal", _no_temporal)
    if completed:
        monkeypatch.setattr(updates, "describe_report", _completed)
        monkeypatch.setattr(reports, "describe_report", _completed)
    settings = Settings(data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF)
    with web_client(settings) as client:
        yield client


def web_client(settings: Settings) -> TestClient:
    """A client of the app of ``settings`` (page and API), logged in with its token; use
    it as a context manager to run the app's start-up and shut-down."""
    return TestClient(create_app(WebContext(settings=settings, token=TOKEN)),
                      base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {TOKEN}"})
