"""The web app's guards and error pages over plain HTTP (no browser needed)."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import webbrowser
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from durable_research.access import MAX_FAILURES, MIN_TOKEN_CHARS, Throttle
from durable_research.cli.browser import open_private_url
from durable_research.client.files import report_file_keys
from durable_research.config import Settings
from durable_research.contract.report import ReportResult
from durable_research.errors import ConfigError
from durable_research.testing.ports import free_port
from durable_research.web.app import ROUTE_MODULES, create_app
from durable_research.web.context import SESSION_COOKIE, WebContext
from durable_research.web.server import access_for
from durable_research.web.sessions import SESSION_TTL_S, SessionStore
from durable_research.web.uploads import upload_name
from tests.support.settings import settings_env
from tests.support.web import WebServer

LOCAL = "http://127.0.0.1"
TOKEN = secrets.token_urlsafe(32)


def app_for(settings: Settings, token: str = TOKEN, loopback: bool = True) -> FastAPI:
    return create_app(WebContext(settings=settings, token=token, loopback=loopback))


def test_the_form_says_which_web_search_and_why(settings: Settings) -> None:
    """The same line as the CLI's (websearch.describe_web_search), probed as a start is."""
    offline = replace(settings, search_ddgs_probe=f"127.0.0.1:{free_port()}")
    with TestClient(app_for(offline), base_url=LOCAL) as client:
        client.get(f"/?token={TOKEN}")
        page = client.get("/new").text
    assert ("no web search: no SEARXNG_URL/TAVILY_API_KEY/BRAVE_API_KEY and DuckDuckGo is "
            "unreachable (offline?)") in page
    assert "--sources" not in page


@pytest.fixture
def local(settings: Settings) -> Iterator[TestClient]:
    """The app as bound to 127.0.0.1, on the session's Temporal server, with a browser
    logged in through the launch link."""
    with TestClient(app_for(settings), base_url=LOCAL) as client:
        assert client.get(f"/?token={TOKEN}").status_code == 200
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
        assert client.get(f"/?token={TOKEN}").status_code == 421
        answer = client.get("/")
    assert answer.status_code == 421


def test_every_post_needs_the_csrf_token(local: TestClient) -> None:
    posts = [r.path for module in ROUTE_MODULES for r in module.router.routes
             if isinstance(r, APIRoute) and "POST" in (r.methods or ())]
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
    assert "tick at least one of" in answer.text and "--format" not in answer.text


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
    with TestClient(app_for(down), base_url=LOCAL,
                    headers={"Authorization": f"Bearer {TOKEN}"}) as client:
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


# ----- issue 25: a local listener needs a secret -----------------------------------------


def test_a_local_process_without_the_launch_token_gets_nothing(settings: Settings) -> None:
    """High #1: on 127.0.0.1 without a token any local process (with a loopback Host
    header) read every report and started paid runs. Now only the printed URL gets in."""
    server = WebServer(settings, with_worker=False).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as anyone:
            for path in ("/", "/new", "/reports/report-000000000000",
                         "/reports/report-000000000000/download/pdf"):
                assert anyone.get(path).status_code == 401, path
            started = anyone.post("/reports", data={"question": "paid by you"})
            assert started.status_code == 401
            assert anyone.get("/?token=not-the-token").status_code == 401
        # The URL `research web` prints logs a browser in, and leaves the address bar.
        assert "?token=" in server.login_url
        with httpx.Client(timeout=30) as browser:
            first = browser.get(server.login_url, follow_redirects=False)
            assert first.status_code == 303 and first.headers["location"] == "/"
            assert browser.get(f"{server.url}/new").status_code == 200
    finally:
        server.stop()


def test_token_guesses_are_throttled_per_client(settings: Settings) -> None:
    """Low: guesses were unthrottled. After a few wrong tokens a client is told to wait,
    even with the right token; other clients are not affected."""
    app = app_for(settings, TOKEN)
    guesser = TestClient(app, base_url=LOCAL, client=("127.0.0.1", 40001))
    with guesser:
        for n in range(MAX_FAILURES):
            assert guesser.get("/", headers={"Authorization": f"Bearer guess-{n}"}
                               ).status_code == 401
        assert guesser.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 429
        form = guesser.post("/login", data={"token": TOKEN,
                                            "csrf_token": csrf_token(guesser, "/login")})
        assert form.status_code == 429 and int(form.headers["retry-after"]) > 0
    with TestClient(app, base_url=LOCAL, client=("::1", 40002)) as other:
        assert other.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_throttle_forgets_old_clients_and_its_memory_is_bounded() -> None:
    now = [1000.0]
    throttle = Throttle(max_failures=3, window_s=60, max_clients=100, clock=lambda: now[0])
    for n in range(10_000):
        throttle.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle) <= 100
    for _ in range(3):
        throttle.failed("a")
    assert throttle.retry_after("a") > 0 and throttle.retry_after("b") == 0
    now[0] += 61
    assert throttle.retry_after("a") == 0


def test_logout_ends_the_session_everywhere(settings: Settings) -> None:
    """Low: the session cookie stayed valid after logout (it was derived from the token)."""
    with TestClient(app_for(settings, TOKEN), base_url=LOCAL) as c:
        token = csrf_token(c, "/login")
        c.post("/login", data={"token": TOKEN, "csrf_token": token}, follow_redirects=False)
        cookie = c.cookies[SESSION_COOKIE]
        assert c.get("/").status_code == 200
        c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        c.cookies.set(SESSION_COOKIE, cookie)  # a copy kept by whoever saw it
        assert c.get("/").status_code == 401


def test_sessions_expire(tmp_path: Path) -> None:
    """Low: the session cookie was valid forever. Sessions end after their lifetime,
    the cookie says so, and the store is shared by a restarted process."""
    now = [1000.0]
    store = SessionStore(tmp_path / "sessions.json", clock=lambda: now[0])
    sid = store.create()
    assert store.valid(sid) and not store.valid("forged")
    assert SessionStore(tmp_path / "sessions.json", clock=lambda: now[0]).valid(sid)
    now[0] += SESSION_TTL_S + 1
    assert not store.valid(sid)
    assert (tmp_path / "sessions.json").stat().st_mode & 0o077 == 0


def test_session_cookie_has_a_lifetime(settings: Settings) -> None:
    with TestClient(app_for(settings, TOKEN), base_url=LOCAL) as c:
        answer = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert f"Max-Age={SESSION_TTL_S}" in cookie and "HttpOnly" in cookie
        assert TOKEN not in cookie


def test_short_tokens_are_refused(settings: Settings) -> None:
    """Low: the token's length was unchecked (RESEARCH_WEB_TOKEN=x was accepted). The
    CLI shows this ConfigError as one line and a hint (test_cli_refuses_public_binding...)."""
    for host in ("127.0.0.1", "0.0.0.0"):
        with pytest.raises(ConfigError, match=f"at least {MIN_TOKEN_CHARS} characters") as info:
            access_for(host, replace(settings, web_token="too-short"))
        assert "RESEARCH_WEB_TOKEN" in info.value.message and "openssl rand" in info.value.hint
    assert access_for("0.0.0.0", replace(settings, web_token=TOKEN)).token == TOKEN


def test_no_token_only_when_asked_and_only_on_loopback(settings: Settings) -> None:
    launch = access_for("127.0.0.1", settings)
    assert len(launch.token) >= MIN_TOKEN_CHARS and launch.launch
    assert launch.token != access_for("127.0.0.1", settings).token  # one per launch
    assert f"/?token={launch.token}" in launch.login_url("127.0.0.1", 8000)
    configured = access_for("127.0.0.1", replace(settings, web_token=TOKEN))
    assert TOKEN not in configured.login_url("127.0.0.1", 8000)  # never echoed
    assert access_for("127.0.0.1", settings, insecure_no_token=True).token == ""
    with pytest.raises(ConfigError, match="--insecure-no-token is refused on 0.0.0.0"):
        access_for("0.0.0.0", replace(settings, web_token=TOKEN), insecure_no_token=True)


def test_the_browser_is_opened_without_the_token_on_a_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`xdg-open <url>` would show the launch token to every local user in `ps`: the
    browser gets a private file that redirects to the URL instead (as Jupyter does)."""
    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")

    def fake_open(url: str, new: int = 0) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    url = f"http://127.0.0.1:8000/?token={TOKEN}"
    page = open_private_url(url, tmp_path, "web-open.html")
    assert page is not None and opened == [page.as_uri()] and TOKEN not in opened[0]
    assert page.stat().st_mode & 0o077 == 0
    assert f'content="0;url={url}"' in page.read_text()
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert open_private_url(url, tmp_path, "again.html") is None  # no display: print only
    assert not (tmp_path / "again.html").exists()
