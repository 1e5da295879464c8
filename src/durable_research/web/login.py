"""Logging in with the access token (RESEARCH_WEB_TOKEN) and out again."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from durable_research.web.common import context
from durable_research.web.context import SESSION_COOKIE
from durable_research.web.templating import render, render_text

router = APIRouter()
# Slows down guessing; a long random token is what really protects the app.
WRONG_TOKEN_DELAY_S = 0.5


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
    """Check the token in constant time; on success set the session cookie."""
    ctx = context(request)
    if not ctx.token:
        return RedirectResponse("/", status_code=303)
    if not hmac.compare_digest(token.encode(), ctx.token.encode()):
        await asyncio.sleep(WRONG_TOKEN_DELAY_S)
        return render(request, "login.html", 401, error="That is not the access token.",
                      logged_in=False)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.session_value(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/login" if context(request).token else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
