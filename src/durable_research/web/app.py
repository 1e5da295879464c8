"""The web app factory: routes by purpose, guards, error pages, static files."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from durable_research.web import (
    api,
    api_docs,
    errors,
    files,
    live,
    login,
    pages,
    review,
    schedules,
)
from durable_research.web.context import WebContext
from durable_research.web.security import GuardMiddleware, require_csrf
from durable_research.web.templating import STATIC

# The route modules, by purpose (the HTTP API and its description last).
ROUTE_MODULES = (pages, live, review, files, login, schedules, api, api_docs)


def create_app(ctx: WebContext) -> FastAPI:
    """The ASGI app over ``ctx`` (settings, Temporal connection, access token).

    Every action goes through the client layer (:mod:`durable_research.client`); the
    app keeps no state of its own, so restarting it loses nothing.
    """
    app = FastAPI(title="durable-research", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(require_csrf)])
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    errors.install(app)

    async def login_page(scope: Scope, error: str) -> bytes:
        scope["app"] = app
        return login.login_text(Request(scope), error).encode()

    app.add_middleware(GuardMiddleware, ctx=ctx, login_page=login_page)
    return app
