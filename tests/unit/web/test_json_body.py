"""A request of the HTTP API whose body is not JSON, or is missing, says so and how to send
it. Found in a new user's trial: `curl -d '{"question": "..."}'` without the README's
`-H 'Content-Type: application/json'` (curl then sends a form's type) was answered
"Invalid request: body: Input should be a valid dictionary or object to extract fields
from", and a POST with no body "body: Field required"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.api_client import api_client as api_client_of

REPORTS = "/api/v1/reports"


@pytest.fixture
def api_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with api_client_of(tmp_path, monkeypatch) as client:
        yield client


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_json_sent_as_another_type_is_named(api_client: TestClient, content_type: str) -> None:
    answer = api_client.post(REPORTS, content=b'{"question": "What do tardigrades eat?"}',
                             headers={"Content-Type": content_type})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert "Content-Type: application/json" in error and content_type in error, error
    assert "dictionary" not in error


def test_a_missing_body_is_named(api_client: TestClient) -> None:
    answer = api_client.post(REPORTS)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert "needs a JSON object" in error and "Field required" not in error, error


def test_a_field_of_a_json_body_is_still_named(api_client: TestClient) -> None:
    answer = api_client.post(REPORTS, json={"question": "q", "depth": "huge"})
    assert answer.status_code == 400, answer.text
    assert "body.depth" in answer.json()["error"], answer.json()
