"""A decision sent to a report that has ended (409) gets a hint for the front end it came
through. Found in a new user's trial: the HTTP API (and the page, and the MCP tools) said
"Hint: `research status report-...` shows how it ended", a command of the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api_client import api_client as api_client_of

ID = "report-0123456789ab"


@pytest.fixture
def ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Every report has completed (no Temporal server is asked)."""
    with api_client_of(tmp_path, monkeypatch, completed=True) as client:
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
