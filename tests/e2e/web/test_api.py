"""The HTTP API end to end: a script with the launch token drives `research web` (its
in-process worker, the session's dev server, the fake LLM) over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from durable_research.contract.report import ReportStep, RunStatus
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.search_server import SearchServer
from tests.support.web import WebServer, web_app_settings

# One process (pytest-xdist) for the module, so its `research web` server with a worker
# starts once: a module fixture spread over processes starts in each, and again whenever
# a process runs another module's test in between.
pytestmark = pytest.mark.xdist_group("web-api")

REPORTS = "/api/v1/reports"
Event = tuple[str, str]


@pytest.fixture(scope="module")
def server(fake_llm_server: FakeLLM, temporal_address: str, search_server: SearchServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """`research web` with its worker; research searches the fixture site (as
    ``research_settings`` sets it up)."""
    settings = replace(web_app_settings(fake_llm_server.api_base, temporal_address,
                                        tmp_path_factory.mktemp("api")),
                       searxng_url=search_server.base_url, fetch_allow_private=True,
                       fetch_host_delay_s=0.0, fetch_timeout_s=5.0)
    web = WebServer(settings).start()
    yield web
    web.stop()


@pytest.fixture
def api(server: WebServer) -> Iterator[httpx.Client]:
    """A script's client: the token of the URL `research web` printed, as a Bearer."""
    token = httpx.URL(server.login_url).params["token"]
    with httpx.Client(base_url=server.url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def events(api: httpx.Client, url: str,
           until: Callable[[dict[str, Any]], bool] = lambda _s: False) -> list[Event]:
    """The server-sent events of ``url`` until ``done`` (or a status ``until`` accepts)."""
    seen: list[Event] = []
    name, data = "", ""
    with api.stream("GET", url) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("event:"):
                name = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                data = line.partition(":")[2].strip()
            elif not line and name:
                seen.append((name, data))
                if name == "done" or (name == "status" and until(json.loads(data))):
                    return seen
                name, data = "", ""
    raise AssertionError(f"the stream ended without a done event: {seen[-3:]}")


def statuses(seen: list[Event]) -> list[dict[str, Any]]:
    return [json.loads(data) for name, data in seen if name == "status"]


def test_start_review_follow_and_download(api: httpx.Client) -> None:
    question = "What do tardigrades eat, asked over HTTP?"
    started = api.post(REPORTS, json={"question": question, "depth": "quick", "review": True,
                                      "formats": ["md", "pdf"]})
    assert started.status_code == 201, started.text
    body = started.json()
    report_id = body["id"]
    assert started.headers["location"] == body["status_url"] == f"{REPORTS}/{report_id}"

    waiting = events(api, body["events_url"], until=lambda s: s["step"] == ReportStep.REVIEW)
    draft = statuses(waiting)[-1]
    assert draft["status"] == RunStatus.RUNNING and draft["draft_version"] == 1
    assert f"FAKE-LLM answer to: {question}" in draft["draft"]
    edited = api.post(f"{REPORTS}/{report_id}/review",
                      json={"action": "edit", "text": "# Mine\n\nWritten by a script."})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["step"] == ReportStep.REVIEW
    approved = api.post(f"{REPORTS}/{report_id}/review", json={"action": "approve"})
    assert approved.status_code == 200 and approved.json()["action"] == "approve"

    seen = events(api, body["events_url"])
    assert seen[-1] == ("done", "ended")
    last = statuses(seen)[-1]
    assert last["status"] == RunStatus.COMPLETED and last["step"] == ReportStep.COMPLETED
    assert last["files"] == ["pdf", "md"] and last["question"] == question

    md = api.get(f"{REPORTS}/{report_id}/files/md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.headers["content-disposition"].startswith("attachment;")
    assert "Written by a script." in md.text and "FAKE-LLM" not in md.text
    assert api.get(f"{REPORTS}/{report_id}/files/pdf").content.startswith(b"%PDF")
    missing = api.get(f"{REPORTS}/{report_id}/files/html")  # not asked for
    assert missing.status_code == 404 and "no html file" in missing.json()["error"]
    listed = {r["workflow_id"]: r for r in api.get(REPORTS).json()["reports"]}
    assert listed[report_id]["status"] == RunStatus.COMPLETED
    # An ended report takes no more decisions: 409, not 400.
    late = api.post(f"{REPORTS}/{report_id}/budget", json={"max_pages": 50})
    assert late.status_code == 409 and "not running any more" in late.json()["error"]


def test_answers_and_plan_review_through_the_api(api: httpx.Client) -> None:
    started = api.post(REPORTS, json={"question": "How do tardigrades survive drying out?",
                                      "depth": "standard", "review_plan": True,
                                      "clarify": True, "formats": ["md"]})
    assert started.status_code == 201, started.text
    assert started.json()["web_search"].startswith("web search: searxng")
    report_id = started.json()["id"]
    url = f"{REPORTS}/{report_id}"
    asking = statuses(events(api, f"{url}/events",
                             until=lambda s: s["step"] == ReportStep.CLARIFY))[-1]
    assert len(asking["questions"]) == 2
    early_plan = api.post(f"{url}/plan", json={"action": "approve"})
    assert early_plan.status_code == 409, early_plan.text
    answered = api.post(f"{url}/answers", json={"answers": ["surviving drought", ""]})
    assert answered.status_code == 200 and answered.json() == {"questions": asking["questions"]}

    waiting = statuses(events(api, f"{url}/events",
                              until=lambda s: s["step"] == ReportStep.PLAN_REVIEW))[-1]
    assert waiting["plan"], waiting
    raised = api.post(f"{url}/budget", json={"max_pages": 40})
    assert raised.status_code == 200, raised.text
    assert raised.json()["budget"]["max_pages"] == 40 and "Budget now" in raised.json()["message"]
    lowered = api.post(f"{url}/budget", json={"max_pages": 10})  # caps only go up
    assert lowered.status_code == 400 and "can only be raised" in lowered.json()["error"]

    # A draft review while the plan waits: the wrong state (409), with the reason.
    early = api.post(f"{url}/review", json={"action": "approve"})
    assert early.status_code == 409
    assert "not waiting for review" in early.json()["error"]
    # The workflow's validator checks an edit's plan: bad input (400), nothing decided.
    too_many = [f"Sub-question number {n}?" for n in range(1, 10)]
    bad = api.post(f"{url}/plan", json={"action": "edit", "subquestions": too_many})
    assert bad.status_code == 400
    assert "Invalid sub-questions: give at most 8 sub-questions, not 9" in bad.json()["error"]

    approved = api.post(f"{url}/plan", json={"action": "approve"})
    assert approved.status_code == 200, approved.text
    assert approved.json() == {"plan": waiting["plan"]}
    again = api.post(f"{url}/plan", json={"action": "approve"})
    assert again.status_code == 409 and "not waiting for plan review" in again.json()["error"]

    last = statuses(events(api, f"{url}/events"))[-1]
    assert last["status"] == RunStatus.COMPLETED and last["files"] == ["md"]
    assert last["plan"] == waiting["plan"]
    assert api.get(f"{url}/files/md").status_code == 200
