"""The HTTP API's guards over plain HTTP: the page's token, throttle, Host check and CSRF,
answered in JSON; downloads only of a run's own files. (On the session's dev server,
without a worker: nothing here starts a report.)"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from durable_research.access import MAX_FAILURES
from durable_research.config import Settings
from durable_research.testing.ports import free_port
from durable_research.web import api
from durable_research.web.app import create_app
from durable_research.web.context import WebContext

LOCAL = "http://127.0.0.1"
TOKEN = secrets.token_urlsafe(32)
BEARER = {"Authorization": f"Bearer {TOKEN}"}
REPORTS = "/api/v1/reports"
UNKNOWN = f"{REPORTS}/report-000000000000"


def app_for(settings: Settings, token: str = TOKEN) -> FastAPI:
    return create_app(WebContext(settings=settings, token=token, loopback=True))


@pytest.fixture
def anyone(settings: Settings) -> Iterator[TestClient]:
    """A local process without the token (a loopback Host header is no secret)."""
    with TestClient(app_for(settings), base_url=LOCAL) as client:
        yield client


def refusal(answer: Any, status: int) -> dict[str, str]:
    """A JSON refusal with ``status``: ``{"error": ..., "hint": ...}``, never a trace.

    (``answer``: a response of Starlette's TestClient or of httpx.)
    """
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error", "hint"} and body["error"], body
    assert "Traceback" not in answer.text
    return dict(body)


def every_endpoint() -> list[tuple[str, str]]:
    """(method, path) of every versioned route, with a report id filled in."""
    return [(method, route.path.replace("{report_id}", "report-x").replace("{fmt}", "md"))
            for route in api.router.routes if isinstance(route, APIRoute)
            for method in sorted(route.methods or ())]


def test_no_token_no_api(anyone: TestClient) -> None:
    """Every endpoint, the schema and its page want the token: 401, in JSON, with the
    Bearer challenge; nothing is started or read."""
    for method, path in [*every_endpoint(), ("GET", "/api/openapi.json"),
                         ("GET", "/api/docs"), ("GET", "/api/v1/nothing-here")]:
        answer = anyone.request(method, path, json={"question": "paid by you"})
        body = refusal(answer, 401)
        assert "Bearer" in answer.headers["www-authenticate"] and "Bearer" in body["hint"]
    # The launch link's ?token= logs a browser in on the pages, never on the API (a
    # token in a URL ends up in logs and histories): only the header counts there.
    refusal(anyone.get(f"{REPORTS}?token={TOKEN}"), 401)


def test_wrong_tokens_are_refused_and_throttled_with_the_pages(settings: Settings) -> None:
    app = app_for(settings)
    guesser = TestClient(app, base_url=LOCAL, client=("127.0.0.1", 40011))
    with guesser:
        for n in range(MAX_FAILURES):
            refusal(guesser.get(REPORTS, headers={"Authorization": f"Bearer guess-{n}"}), 401)
        # The same throttle as the page's: now even the right token waits, there too.
        waited = refusal(guesser.get(REPORTS, headers=BEARER), 429)
        assert "wait" in waited["error"] and int(guesser.get(
            REPORTS, headers=BEARER).headers["retry-after"]) > 0
        assert guesser.get("/", headers=BEARER).status_code == 429
    with TestClient(app, base_url=LOCAL, client=("::1", 40012)) as other:
        assert other.get(REPORTS, headers=BEARER).status_code == 200


def test_wrong_host_is_refused_even_with_the_token(settings: Settings) -> None:
    """DNS rebinding: a site resolving its name to 127.0.0.1 must not reach the API."""
    with TestClient(app_for(settings), base_url="http://evil.example") as client:
        refusal(client.get(REPORTS, headers=BEARER), 421)
        refusal(client.post(REPORTS, headers=BEARER, json={}), 421)


def test_a_cookie_session_needs_the_csrf_token_a_bearer_does_not(settings: Settings) -> None:
    with TestClient(app_for(settings), base_url=LOCAL) as browser:
        assert browser.get(f"/?token={TOKEN}").status_code == 200  # the launch link
        assert browser.get(REPORTS).status_code == 200  # the session reads the API
        # A cross-site page can make the browser POST with its cookies, never with the
        # token of its CSRF cookie: refused before anything is validated or started.
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            for method, path in every_endpoint():
                if method == "POST":
                    body = refusal(browser.post(path, json={"question": "q"},
                                                headers=headers), 403)
                    assert "x-csrf-token" in body["hint"].lower()
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/new").text)
        assert token
        # With the page's token the request is checked, not refused (no format: 400).
        checked = browser.post(REPORTS, json={"question": "q", "formats": []},
                               headers={"X-CSRF-Token": token.group(1)})
        assert refusal(checked, 400)["error"] == "Choose at least one format"
    with TestClient(app_for(settings), base_url=LOCAL) as script:
        # The Bearer header is the proof: no CSRF token, no cookie.
        body = refusal(script.post(REPORTS, json={"question": "q", "formats": []},
                                   headers=BEARER), 400)
        assert body["error"] == "Choose at least one format"
        # Said as the API takes them, not as the command line's --format.
        assert body["hint"].startswith("give formats as a list of one or more of 'pdf'")


def test_bad_input_unknown_ids_and_downloads_that_try_to_escape(settings: Settings) -> None:
    with TestClient(app_for(settings), base_url=LOCAL, headers=BEARER) as c:
        typo = refusal(c.post(REPORTS, json={"questoin": "typo"}), 400)["error"]
        assert "body.questoin: Extra inputs are not permitted" in typo
        assert "formats" in refusal(c.post(REPORTS, json={"formats": ["odt"]}), 400)["error"]
        assert "depth" in refusal(c.post(REPORTS, json={"depth": "huge"}), 400)["error"]
        refusal(c.post(f"{UNKNOWN}/review", json={"action": "publish"}), 400)
        refusal(c.post(REPORTS, content=b"{not json", headers={
            "content-type": "application/json"}), 400)
        for path in (UNKNOWN, f"{UNKNOWN}/files/pdf", f"{UNKNOWN}/events",
                     f"{REPORTS}/not%20an%20id", f"{REPORTS}/.hidden", f"{REPORTS}/-x"):
            assert "No report" in refusal(c.get(path), 404)["error"], path
        for path in (f"{REPORTS}/..%2F..%2Fetc/files/pdf", f"{REPORTS}/a%2Fq1"):
            refusal(c.get(path), 404)  # a "/" in an id: no route, no report
        for action in ("review", "plan"):
            refusal(c.post(f"{UNKNOWN}/{action}", json={"action": "approve"}), 404)
        refusal(c.post(f"{UNKNOWN}/budget", json={"max_pages": 5}), 404)
        refusal(c.post(f"{UNKNOWN}/cancel"), 404)
        # A file is chosen by format, never by a path: anything else is bad input.
        for fmt in ("..%2F..%2F..%2Fetc%2Fpasswd", "..", "pdf%00", "exe", "PDF/../md"):
            answer = c.get(f"{UNKNOWN}/files/{fmt}")
            assert answer.status_code in (400, 404), fmt
            refusal(answer, answer.status_code)


def test_temporal_unreachable_is_a_503(settings: Settings) -> None:
    down = replace(settings, temporal_address=f"127.0.0.1:{free_port()}", embedded="never")
    with TestClient(app_for(down), base_url=LOCAL, headers=BEARER) as client:
        for path in (REPORTS, UNKNOWN):
            assert "No Temporal server" in refusal(client.get(path), 503)["error"]


def test_the_openapi_document_lists_every_endpoint(settings: Settings) -> None:
    with TestClient(app_for(settings), base_url=LOCAL, headers=BEARER) as c:
        doc = c.get("/api/openapi.json").json()
        page = c.get("/api/docs")
    listed = {(method.upper(), path) for path, item in doc["paths"].items()
              for method in item}
    routes = {(method, route.path) for route in api.router.routes
              if isinstance(route, APIRoute) for method in route.methods or ()}
    assert listed == routes and len(routes) == 10
    assert all(path.startswith("/api/v1/") for _method, path in listed)
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    start = doc["paths"]["/api/v1/reports"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/NewReport")
    assert {"400", "401", "403", "404", "409"} <= set(start["responses"])
    assert "422" not in start["responses"]  # bad input is a 400 with an ApiError
    assert doc["components"]["schemas"]["ReportFormat"]["enum"] == ["pdf", "md", "html", "docx"]
    assert page.status_code == 200 and "default-src 'self'" in page.headers[
        "content-security-policy"]
    for _method, path in routes:
        assert path in page.text
