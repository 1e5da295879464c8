"""The HTTP API's download of a report that ended without one says it ended. Found in a
new user's trial: GET .../files/pdf of a report cancelled at its plan review answered 404
"This report has no pdf file (yet)", hint "choose the format when starting a report", as
if waiting or another format would bring one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from durable_research import client as rc
from durable_research.client.reports import ReportState
from durable_research.contract.report import RunStatus
from durable_research.web import common
from tests.support.api_client import api_client as api_client_of

ID = "report-0123456789ab"


@pytest.fixture
def api_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    async def cancelled(client: Any, workflow_id: str,
                        with_query: bool | None = None) -> ReportState:
        return ReportState(workflow_id, RunStatus.CANCELED)

    async def no_temporal(request: Any) -> None:
        return None

    monkeypatch.setattr(rc, "describe_report", cancelled)
    monkeypatch.setattr(common, "temporal", no_temporal)
    with api_client_of(tmp_path, monkeypatch) as client:
        yield client


def test_the_file_of_a_report_that_ended_without_one(api_client: TestClient) -> None:
    answer = api_client.get(f"/api/v1/reports/{ID}/files/pdf")
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == f"Report {ID} ended (canceled) without a report"
    assert f"/api/v1/reports/{ID}" in body["hint"], body
