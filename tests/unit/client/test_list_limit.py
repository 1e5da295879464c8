"""How many reports a list may show is one bound for every front end (a new user's trial:
the CLI's `--limit` took 1,000, the HTTP API 500, MCP 200, and MCP's refusal had no hint)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from durable_research import client as rc
from durable_research.errors import UserError
from durable_research.mcp.tools import check_limit
from tests.support.api_client import api_client as api_client_of


@pytest.fixture
def api_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with api_client_of(tmp_path, monkeypatch) as client:
        yield client


def test_the_api_takes_the_shared_bound(api_client: TestClient) -> None:
    params = api_client.get("/api/openapi.json").json()["paths"]["/api/v1/reports"]["get"][
        "parameters"]
    limit = next(p for p in params if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, rc.MAX_LIST)


def test_mcp_takes_the_shared_bound_and_hints() -> None:
    assert check_limit(rc.MAX_LIST) == rc.MAX_LIST
    with pytest.raises(UserError) as caught:
        check_limit(rc.MAX_LIST + 1)
    assert f"between 1 and {rc.MAX_LIST}" in caught.value.message
    assert caught.value.hint
    with pytest.raises(UserError) as caught:
        check_limit(-1)
    assert caught.value.hint
