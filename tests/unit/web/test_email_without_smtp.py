"""The web form and the HTTP API take an e-mail address: the same rule as the CLI's
(client/mail), refused before the start when the worker is this machine's and has no
SMTP_HOST, a note when it may be a cluster's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from durable_research import client as rc
from durable_research.client.mail import MAIL_ELSEWHERE_NOTE
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.testing.ports import free_port
from durable_research.web import api, pages
from tests.support.api_client import web_client

# The CLI's rule and message, naming the option as each front end does (client/options).
REFUSAL = "{}: SMTP_HOST is not set, so this machine's worker cannot send the report"


class _Started:
    id = "report-started"


async def _fake_start(*args: Any, **kwargs: Any) -> _Started:
    return _Started()


async def _no_temporal(request: Any) -> None:
    return None


def _client(tmp_path: Path, address: str) -> Iterator[TestClient]:
    settings = Settings(temporal_address=address, data_dir=str(tmp_path / "data"),
                        store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                        search_ddgs_probe=DDGS_PROBE_OFF, search_provider="none")
    with web_client(settings) as client:
        yield client


@pytest.fixture
def here(tmp_path: Path) -> Iterator[TestClient]:
    """Nothing at the local address: the embedded server's, this machine's worker."""
    yield from _client(tmp_path, f"127.0.0.1:{free_port()}")


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(rc, "start_report", _fake_start)
    monkeypatch.setattr(api, "temporal", _no_temporal)
    monkeypatch.setattr(pages, "temporal", _no_temporal)
    yield from _client(tmp_path, "temporal.example.org:7233")


def test_the_api_refuses_with_the_clis_message(here: TestClient) -> None:
    answer = here.post("/api/v1/reports", json={"question": "q", "email": "me@example.com"})
    assert answer.status_code == 400
    error = answer.json()
    assert error["error"] == REFUSAL.format("email") and error["hint"].endswith("drop email")


def test_the_form_refuses_with_the_same_message(here: TestClient) -> None:
    answer = here.post("/reports", data={"question": "q", "email": "me@example.com",
                                         "formats": "pdf", "depth": "quick"})
    assert answer.status_code == 400
    said = REFUSAL.format('"E-mail the report to"')
    assert said.replace("'", "&#39;").replace('"', "&#34;") in answer.text


def test_a_clusters_worker_gets_the_report_with_a_note(cluster: TestClient) -> None:
    started = cluster.post("/api/v1/reports", json={"question": "q", "depth": "quick",
                                                    "email": "me@example.com"})
    assert started.status_code == 201, started.text
    assert started.json()["notes"] == [MAIL_ELSEWHERE_NOTE]
    form = cluster.post("/reports", data={"question": "q", "email": "me@example.com",
                                          "formats": "pdf", "depth": "quick"},
                        follow_redirects=False)
    assert form.status_code == 303
    assert form.headers["location"] == "/reports/report-started?done=started-mail-elsewhere"
