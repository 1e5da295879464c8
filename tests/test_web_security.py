"""The web app's guards and error pages over plain HTTP (no browser needed)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from durable_research.client.files import report_file_keys
from durable_research.config import Settings
from durable_research.shared import ReportResult
from durable_research.testing.ports import free_port
from durable_research.web.app import ROUTE_MODULES, create_app
from durable_research.web.context import WebContext
from durable_research.web.uploads import upload_name

from .conftest import settings_env

LOCAL = "http://127.0.0.1"
TOKEN = "a-long-random-test-token"


def app_for(settings: Settings, token: str = "", loopback: bool = True) -> FastAPI:
    return create_app(WebContext(settings=replace(settings, web_token=token),
                                 loopback=loopback))


@pytest.fixture
def local(settings: Settings) -> Iterator[TestClient]:
    """The app as bound to 127.0.0.1 (no token), on the session's Temporal server."""
    with TestClient(app_for(settings), base_url=LOCAL) as client:
        yield client


def csrf_token(client: TestClient, path: str = "/new") -> str:
    """The CSRF token a page's forms carry (the page also sets the cookie)."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_pages_send_a_strict_csp(local: TestClient) -> None:
    page = local.get("/new")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # scripts only from files (src=)
    assert not re.search(r"<[^>]+\son\w+=", page.text)  # no inline event handlers
    for name in ("htmx.min.js", "htmx-ext-sse.min.js", "htmx.LICENSE.txt",
                 "htmx-ext-sse.LICENSE.txt"):
        assert local.get(f"/static/{name}").status_code == 200


def test_loopback_app_refuses_other_host_names(settings: Settings) -> None:
    # A site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing.
    with TestClient(app_for(settings), base_url="http://evil.example") as client:
        answer = client.get("/")
    assert answer.status_code == 421


def test_every_post_needs_the_csrf_token(local: TestClient) -> None:
    posts = [r.path for module in ROUTE_MODULES for r in module.router.routes
             if isinstance(r, APIRoute) and "POST" in r.methods]
    assert {"/reports", "/reports/{report_id}/review", "/reports/{report_id}/plan",
            "/login", "/logout"} <= set(posts)
    local.get("/new")  # the browser has a CSRF cookie, but the form lacks the token
    for path in posts:
        url = path.replace("{report_id}", "report-x")
        for data in ({"question": "q"}, {"question": "q", "csrf_token": "forged"}):
            answer = local.post(url, data=data)
            assert answer.status_code == 403, (url, answer.status_code)
            assert "out of date or came from another site" in answer.text
    # With the token the form is checked (and a mistake is explained, not a crash).
    answer = local.post("/reports", data={"question": "q", "csrf_token": csrf_token(local)})
    assert answer.status_code == 400 and "Choose at least one format" in answer.text


def test_token_required_off_loopback(settings: Settings) -> None:
    with TestClient(app_for(settings, TOKEN, loopback=False), base_url="http://10.1.2.3") as c:
        refused = c.get("/")
        assert refused.status_code == 401 and 'for="token"' in refused.text
        assert c.post("/reports", data={"question": "q"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        token = csrf_token(c, "/login")
        wrong = c.post("/login", data={"token": "guess", "csrf_token": token})
        assert wrong.status_code == 401 and "not the access token" in wrong.text
        assert c.get("/").status_code == 401
        ok = c.post("/login", data={"token": TOKEN, "csrf_token": token},
                    follow_redirects=False)
        assert ok.status_code == 303 and TOKEN not in ok.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the session cookie does it now


def test_cli_refuses_public_binding_without_token(settings: Settings, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "durable_research.cli", "web", "--host", "0.0.0.0"],
        env=settings_env(settings), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "RESEARCH_WEB_TOKEN" in output and "Traceback" not in output


def test_unknown_report_is_a_404_page(local: TestClient) -> None:
    for path in ("/reports/report-000000000000", "/reports/not%20an%20id",
                 "/reports/report-000000000000/download/pdf",
                 "/reports/report-000000000000/view.html"):
        answer = local.get(path)
        assert answer.status_code == 404, path
        assert "No report" in answer.text and "Traceback" not in answer.text


def test_temporal_unreachable_is_a_503_page(settings: Settings) -> None:
    down = replace(settings, temporal_address=f"127.0.0.1:{free_port()}", embedded="never")
    with TestClient(app_for(down), base_url=LOCAL) as client:
        for path in ("/", "/reports/report-000000000000"):
            answer = client.get(path)
            assert answer.status_code == 503, path
            assert "No Temporal server answers" in answer.text
            assert "Traceback" not in answer.text


def test_upload_names_are_never_paths() -> None:
    taken: set[str] = set()
    assert upload_name("../../etc/passwd", taken) == "passwd"
    assert upload_name("C:\\Users\\me\\notes.md", taken) == "notes.md"
    assert upload_name(".hidden.md", taken) == "hidden.md"
    assert upload_name("notes.md", taken) == "2-notes.md"
    assert upload_name("", taken) == "document"


def test_downloads_only_the_runs_own_reported_files() -> None:
    result = ReportResult(keys=["runs/report-a/report/x.pdf", "runs/report-b/report/y.md",
                                "runs/report-a/report/x.html", "runs/report-a/report/x.exe"])
    assert report_file_keys("report-a", result) == {
        "pdf": "runs/report-a/report/x.pdf", "html": "runs/report-a/report/x.html"}
