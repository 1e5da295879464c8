"""A decision sent to a report that has ended (409) gets a hint for the front end it came
through. Found in a new user's trial: the HTTP API (and the page, and the MCP tools) said
"Hint: `research status report-...` shows how it ended", a command of the CLI."""

from __future__ import annotations

from collections.abc import Iterator
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
ID = "report-0123456789ab"


async def _no_temporal(request: Any) -> None:
    return None


async def _completed(client: Any, workflow_id: str, with_query: bool = True) -> ReportState:
    return ReportState(workflow_id, RunStatus.COMPLETED)


@pytest.fixture
def ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Every report has completed (no Temporal server is asked)."""
    monkeypatch.setattr(api, "temporal", _no_temporal)
    monkeypatch.setattr(updates, "describe_report", _completed)
    monkeypatch.setattr(reports, "describe_report", _completed)
    settings = Settings(data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF)
    app = create_app(WebContext(settings=settings, token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1",
                    headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.mark.parametrize(("path", "body"), [("review", {"action": "approve"}),
                                            ("answers", {"answers": []}),
                                            ("cancel", {})])
def test_the_api_hint_names_the_api(ended: TestClient, path: str, body: dict[str, Any]
                                    ) -> None:
    refused = ended.post(f"/api/v1/reports/{ID}/{path}", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["hint"].endswith(f"GET /api/v1/reports/{ID} shows how it ended"), \
        refused.json()
    assert "research status" not in refused.json()["hint"]
