"""Logging in with the access token (the launch token or RESEARCH_WEB_TOKEN) and out."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from durable_research.access import same_token
from durable_research.web.common import context
from durable_research.web.context import SESSION_COOKIE
from durable_research.web.security import client_address, session_set_cookie
from durable_research.web.templating import render, render_text

router = APIRouter()


def login_text(request: Request, error: str = "") -> str:
    """The login page."""
    return render_text(request, "login.html", error=error, logged_in=False)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The form (or the reports, when no token is needed)."""
    if not context(request).token:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", error="", logged_in=False)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form()] = "") -> Response:
    """Check the token (throttled per client, constant time); on success start a
    session (its cookie holds a random id, never the token)."""
    ctx = context(request)
    if not ctx.token:
        return RedirectResponse("/", status_code=303)
    client = client_address(request.scope)
    wait = ctx.throttle.retry_after(client)
    if wait:
        return PlainTextResponse("Too many wrong tokens: wait a minute and try again.", 429,
                                 headers={"retry-after": str(math.ceil(wait))})
    if not same_token(token.strip(), ctx.token):
        ctx.throttle.failed(client)
        return render(request, "login.html", 401, error="That is not the access token.",
                      logged_in=False)
    ctx.throttle.succeeded(client)
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", session_set_cookie(
        ctx.store.create(), request.url.scheme == "https"))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session on the server (a copy of the cookie stops working) and forget
    the cookie."""
    ctx = context(request)
    session = request.state.cookies.get(SESSION_COOKIE, "")
    if session:
        ctx.store.revoke(session)
    response = RedirectResponse("/login" if ctx.token else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
