"""The HTTP API's start endpoint needs a question. Found in a new user's trial: a POST of
`{}` (or of a blank question) started a report on the demo question about tardigrades, paid
for like any other, where a script had most likely lost its question on the way; MCP's
start_research refuses a blank question, and only the CLI's and the page's empty question
is the demo (documented there, shown as the form's placeholder)."""

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


def test_a_body_without_a_question_is_refused(api_client: TestClient) -> None:
    answer = api_client.post(REPORTS, json={"depth": "quick"})
    assert answer.status_code == 400, answer.text
    assert "body.question: Field required" in answer.json()["error"], answer.json()


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_a_blank_question_is_refused(api_client: TestClient, question: str) -> None:
    answer = api_client.post(REPORTS, json={"question": question})
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": "The question is empty",
                             "hint": "ask a research question"}


def test_the_schema_marks_the_question_required(api_client: TestClient) -> None:
    schema = api_client.get("/api/openapi.json").json()["components"]["schemas"]["NewReport"]
    assert "question" in schema["required"], schema
    assert "demo" not in schema["properties"]["question"].get("description", "")
