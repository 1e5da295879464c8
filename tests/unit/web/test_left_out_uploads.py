"""Uploaded files the page's report cannot use are named on its page, as ``research run
--sources`` prints ``skipped NAME: reason`` and MCP's start_research lists them. Found in
a new user's trial: four files uploaded, one of them empty; the report page said "3 local
documents" and nowhere which file was left out, or why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from durable_research import client as rc
from durable_research.client.reports import RUNNING, ReportState
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.errors import UserError
from durable_research.web import pages, review
from durable_research.web.left_out import LeftOut
from tests.support.api_client import web_client


class _Started:
    id = "report-0123456789ab"


async def _fake_start(*args: Any, **kwargs: Any) -> _Started:
    return _Started()


async def _no_temporal(request: Any) -> None:
    return None


async def _running(request: Any, report_id: str) -> ReportState:
    return ReportState(report_id, RUNNING)


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(rc, "start_report", _fake_start)
    monkeypatch.setattr(pages, "temporal", _no_temporal)
    monkeypatch.setattr(pages, "load_report", _running)
    settings = Settings(temporal_address="temporal.example.org:7233",
                        data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF,
                        search_provider="none")
    with web_client(settings) as client:
        yield client


def test_the_report_page_names_the_files_left_out(web: TestClient) -> None:
    files = [("sources", ("notes.md", b"# Notes\n\nTardigrades survive drying out.\n",
                          "text/markdown")),
             ("sources", ("empty.md", b"", "text/markdown")),
             ("sources", ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"))]
    started = web.post("/reports", data={"question": "What do tardigrades survive?",
                                         "formats": "pdf", "depth": "standard"},
                       files=files, follow_redirects=False)
    assert started.status_code == 303, started.text
    page = web.get(started.headers["location"])
    assert page.status_code == 200
    assert "Left out of your documents" in page.text, page.text
    assert "empty.md: no text found" in page.text
    assert "photo.jpg: unsupported file type" in page.text
    # Still said on a later visit (a reload forgot them: a new user's trial).
    again = web.get(started.headers["location"]).text
    assert "Left out of your documents" in again and "empty.md: no text found" in again


def test_what_is_kept_is_bounded() -> None:
    kept = LeftOut(limit=2)
    for n in range(3):
        kept.put(f"report-{n}", [f"f{n}.md: no text found"])
    assert kept.lines("report-0") == []  # the oldest went first
    assert kept.lines("report-1") == ["f1.md: no text found"]
    assert kept.lines("report-2") == ["f2.md: no text found"]


async def _refuse(*args: Any, **kwargs: Any) -> None:
    raise UserError("Review not accepted: An edit needs the replacement text; it was empty")


async def _loaded(request: Any, report_id: str, with_query: bool = True) -> ReportState:
    return ReportState(report_id, RUNNING)


def test_the_report_page_of_a_refused_review_still_renders(
        web: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is also rendered by a refused review, which has no files left out to show
    (the e2e test of the page caught a 500 there: ``left_out`` was undefined)."""
    monkeypatch.setattr(rc, "send_review", _refuse)
    monkeypatch.setattr(review, "temporal", _no_temporal)
    monkeypatch.setattr(review, "load_report", _loaded)
    refused = web.post("/reports/report-0123456789ab/review", data={"action": "edit"})
    assert refused.status_code == 409, refused.text
    assert "An edit needs the replacement text" in refused.text
    assert "Left out of your documents" not in refused.text
