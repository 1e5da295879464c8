"""The responses the guard middleware sends itself (refusals, the login page, the launch
link's redirect), and the security headers every response gets.

Under ``/api`` a refusal is JSON, ``{"error": ..., "hint": ...}``, as every API error.
"""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import Send

from durable_research.web.context import CSRF_COOKIE

# The app's own pages: scripts, styles, images, frames and EventSource from itself
# only; no inline script or style, no plugins, never framed.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def csrf_set_cookie(value: str) -> str:
    """The ``Set-Cookie`` value of a browser's new CSRF cookie."""
    return f"{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"


def security_headers(out: MutableHeaders) -> None:
    """Defaults for every response; a route that sets its own (a report view) keeps them."""
    if "content-security-policy" not in out:
        out["content-security-policy"] = PAGE_CSP
        out["x-frame-options"] = "DENY"
    out.setdefault("x-content-type-options", "nosniff")
    out.setdefault("referrer-policy", "no-referrer")
    out.setdefault("cross-origin-opener-policy", "same-origin")
    out.setdefault("cache-control", "no-store")


# The hints of the HTTP API's refusals (its JSON bodies have an error and a hint).
_API_HINTS = {
    401: "send the token `research web` printed (the URL's ?token=...) as "
         "`Authorization: Bearer <token>`",
    421: "use http://127.0.0.1:<port> or http://localhost:<port>",
    429: "wait a minute, then send the right token",
}


async def plain(send: Send, status: int, text: str,
                extra: list[tuple[bytes, bytes]] | None = None, api: bool = False) -> None:
    """A refusal: ``text`` as plain text, or for the HTTP API (``api``) as JSON with a hint."""
    if api:
        body = json.dumps({"error": text, "hint": _API_HINTS.get(status, "")}).encode()
        await respond(send, status, body, "", content_type=b"application/json", extra=extra)
        return
    await respond(send, status, text.encode(), "", content_type=b"text/plain; charset=utf-8",
                  extra=extra)


async def respond(send: Send, status: int, body: bytes, fresh_csrf: str,
                  content_type: bytes = b"text/html; charset=utf-8",
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """A whole response, with the security headers (and a new CSRF cookie if given)."""
    headers = MutableHeaders(raw=[(b"content-type", content_type),
                                  (b"content-length", str(len(body)).encode())])
    for key, value in extra or []:
        headers.append(key.decode(), value.decode())
    security_headers(headers)
    if fresh_csrf:
        headers.append("set-cookie", csrf_set_cookie(fresh_csrf))
    await send({"type": "http.response.start", "status": status, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})
