"""Request guards of the web app: host check, access token, CSRF, size cap, headers.

Access: the launch link (``/?token=...``, printed by ``research web``) or the login
form start a server-side session (a cookie); scripts (and the HTTP API's clients) send
``Authorization: Bearer <token>`` instead. Wrong tokens are throttled per client
address. Under ``/api`` every refusal is JSON (``{"error": ..., "hint": ...}``), and the
launch link's ``?token=`` is not accepted there (a token in a URL ends up in logs).

One ASGI middleware does what needs only the headers (before any body is read, so an
unauthorised upload is refused before it is parsed); the CSRF check needs the form
and runs as an app-wide dependency (``require_csrf``) on every unsafe method.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from fastapi import HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from durable_research.access import TOKEN_PARAM, same_token
from durable_research.loopback import host_name, is_loopback
from durable_research.web.context import (
    BEARER_STATE,
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    WebContext,
    is_api_path,
)
from durable_research.web.responses import (
    csrf_set_cookie,
    plain,
    respond,
    security_headers,
)
from durable_research.web.sessions import SESSION_TTL_S

# A report or draft rendered as HTML (inside a sandboxed iframe): no script at all,
# its own inline styles, framed only by the app, sandboxed even when opened directly.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Uploads of documents included; anything bigger is refused before it is read.
MAX_REQUEST_BYTES = 64 * 1024 * 1024
# Reachable without the token: the login page and the files it needs.
PUBLIC_PREFIXES = ("/login", "/static/")

LoginPage = Callable[[Scope, str], Awaitable[bytes]]


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header counts as none
        return {}
    return {k: v.value for k, v in jar.items()}


class GuardMiddleware:
    """Host check, token check, size cap, CSRF cookie and security headers.

    Args:
        app: The wrapped ASGI app.
        ctx: The shared context (token, loopback binding, CSRF secret).
        login_page: Renders the login page (status 401) for a browser without access.
    """

    def __init__(self, app: ASGIApp, ctx: WebContext, login_page: LoginPage) -> None:
        self.app = app
        self.ctx = ctx
        self.login_page = login_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, text = refusal
            await plain(send, status, text, api=is_api_path(scope["path"]))
            return
        cookies = _cookies(headers)
        fresh_csrf = "" if cookies.get(CSRF_COOKIE) else secrets.token_urlsafe(32)
        csrf_cookie = cookies.get(CSRF_COOKIE) or fresh_csrf
        state = scope.setdefault("state", {})
        state["csrf_cookie"] = csrf_cookie
        state["csrf_token"] = self.ctx.csrf_token(csrf_cookie)
        state["cookies"] = cookies
        if self.ctx.token and not scope["path"].startswith(PUBLIC_PREFIXES):
            denied = await self._access(scope, headers, cookies, send, fresh_csrf)
            if denied:
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                security_headers(out)
                if fresh_csrf:
                    out.append("set-cookie", csrf_set_cookie(fresh_csrf))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _access(self, scope: Scope, headers: Headers, cookies: dict[str, str],
                      send: Send, fresh_csrf: str) -> bool:
        """Check the token (launch link or bearer header) or the session; True if a
        response (login page, redirect, 429) was sent instead of the app's."""
        client = client_address(scope)
        api = is_api_path(scope["path"])
        bearer = headers.get("authorization", "")
        bearer = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        link_token, rest = split_token_query(scope.get("query_string", b"").decode("latin-1"))
        via_link = bool(link_token) and scope["method"] == "GET" and not api
        sent = link_token if via_link and link_token else bearer
        if not sent:
            if self.ctx.logged_in(cookies.get(SESSION_COOKIE, "")):
                return False
            await self._login_page(scope, send, fresh_csrf)
            return True
        wait = self.ctx.throttle.retry_after(client)
        if wait:
            await plain(send, 429, "Too many wrong tokens: wait a minute and try again.",
                        [(b"retry-after", str(math.ceil(wait)).encode())], api=api)
            return True
        if not same_token(sent, self.ctx.token):
            self.ctx.throttle.failed(client)
            await self._login_page(scope, send, fresh_csrf)
            return True
        self.ctx.throttle.succeeded(client)
        if not via_link:
            scope["state"][BEARER_STATE] = True
            return False
        # The launch link: a session cookie, and the token leaves the address bar.
        target = scope["path"] + (f"?{rest}" if rest else "")
        cookie = session_set_cookie(self.ctx.store.create(), scope.get("scheme") == "https")
        await respond(send, 303, b"", fresh_csrf,
                       extra=[(b"location", target.encode()), (b"set-cookie", cookie.encode())])
        return True

    async def _login_page(self, scope: Scope, send: Send, fresh_csrf: str) -> None:
        challenge = [(b"www-authenticate", b'Bearer realm="research web"')]
        if is_api_path(scope["path"]):
            await plain(send, 401, "No valid access token or session.", challenge, api=True)
            return
        body = await self.login_page(scope, "")
        await respond(send, 401, body, fresh_csrf, extra=challenge)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        """A status and message when the request is refused on its headers alone."""
        if self.ctx.loopback and not is_loopback(host_name(headers.get("host", ""))):
            # A page on another site that resolves its name to 127.0.0.1 (DNS
            # rebinding) must not reach the app.
            return 421, "This app only answers to localhost / 127.0.0.1."
        if scope["method"] not in SAFE_METHODS:
            length = headers.get("content-length")
            if length is None and "transfer-encoding" not in headers:
                # No length and no chunks: no body at all (RFC 9112, 6.3), as curl sends
                # a POST without -d (`curl -X POST .../cancel`). Nothing to bound.
                return None
            if length is None or not length.isdigit():
                # A chunked body's size is known only once read: it must be bounded first.
                return 411, ("A Content-Length is required: send the body whole, "
                             "not chunked.")
            if int(length) > MAX_REQUEST_BYTES:
                limit = MAX_REQUEST_BYTES // (1024 * 1024)
                return 413, f"The request is larger than {limit} MB."
        return None


def client_address(scope: Scope) -> str:
    """The client's address (what the throttle counts by)."""
    client = scope.get("client")
    return str(client[0]) if client else ""


def split_token_query(query: str) -> tuple[str | None, str]:
    """The ``token`` parameter of a query string (None if absent) and the rest of it."""
    pairs = parse_qsl(query, keep_blank_values=True)
    token = next((value for key, value in pairs if key == TOKEN_PARAM), None)
    return token, urlencode([(k, v) for k, v in pairs if k != TOKEN_PARAM])


def session_set_cookie(session_id: str, secure: bool) -> str:
    """The ``Set-Cookie`` value of a new session.

    ``SameSite=Lax``, not Strict: the browser opened on the launch link comes from a
    local file (see cli/web.py), and a Strict cookie would not be sent on the redirect
    that follows. Forms are protected by their CSRF token, not by this cookie.
    """
    return (f"{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; "
            f"Max-Age={SESSION_TTL_S}" + ("; Secure" if secure else ""))


async def require_csrf(request: Request) -> None:
    """App-wide dependency: every unsafe request carries the CSRF token of its cookie.

    The token comes in the form field ``csrf_token`` or the ``X-CSRF-Token`` header
    (htmx requests, the HTTP API's cookie sessions); a cross-site page can send neither.
    A request the guard let in on its ``Authorization: Bearer`` token needs none: a
    browser sends that header only when a script of this origin adds it.

    Raises:
        HTTPException: 403 without a matching token.
    """
    if request.method in SAFE_METHODS or request.scope["state"].get(BEARER_STATE):
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")):
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    cookie = request.state.cookies.get(CSRF_COOKIE, "")
    if not request.app.state.ctx.csrf_ok(cookie, sent):
        raise HTTPException(403, "This form is out of date or came from another site: reload "
                                 "the page and submit it again.")
