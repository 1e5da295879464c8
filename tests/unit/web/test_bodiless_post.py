"""A POST without a body and without a Content-Length (``curl -X POST .../cancel``) is an
empty body, as HTTP/1.1 defines it (RFC 9112, 6.3: a request with neither Content-Length
nor Transfer-Encoding has none), not a "411 A Content-Length is required". Found in a new
user's trial: the README's cancel endpoint, called as curl calls it, answered 411. A
chunked body, whose size is not known before it is read, still needs a Content-Length."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.api_client import api_client as api_client_of

ID = "report-0123456789ab"


def _as_curl_sends_it(request: httpx.Request) -> None:
    """curl -X POST with no -d sends no Content-Length (httpx adds ``0``)."""
    del request.headers["content-length"]


@pytest.fixture
def api_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API over a report that has completed (no Temporal server is asked)."""
    with api_client_of(tmp_path, monkeypatch, completed=True) as client:
        yield client


def test_a_cancel_without_a_body_reaches_the_endpoint(api_client: TestClient) -> None:
    api_client.event_hooks["request"] = [_as_curl_sends_it]
    answer = api_client.post(f"/api/v1/reports/{ID}/cancel")
    assert "content-length" not in answer.request.headers
    # The endpoint answered (the report has ended: 409), not the guard's 411.
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"].startswith(f"Workflow {ID} is not running"), answer.json()


def test_a_start_without_a_body_asks_for_one(api_client: TestClient) -> None:
    api_client.event_hooks["request"] = [_as_curl_sends_it]
    answer = api_client.post("/api/v1/reports")
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"error", "hint"}


def test_a_chunked_body_still_needs_a_length(api_client: TestClient) -> None:
    answer = api_client.post(f"/api/v1/reports/{ID}/cancel",
                             content=iter([b"{", b"}"]))  # an iterator: sent chunked
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    assert answer.status_code == 411, answer.text
    assert "Content-Length" in answer.json()["error"]
