"""Helpers every route module uses: the context, the client, a report's state."""

from __future__ import annotations

from fastapi import Request
from temporalio.client import Client

from durable_research import client as rc
from durable_research.errors import UserError, WorkflowNotFoundError
from durable_research.web.context import WebContext


def context(request: Request) -> WebContext:
    """The app's shared context."""
    ctx: WebContext = request.app.state.ctx
    return ctx


async def temporal(request: Request) -> Client:
    """The Temporal client (TemporalUnavailableError becomes the 503 page)."""
    return await context(request).client()


def known_id(report_id: str) -> str:
    """``report_id`` if a report can have it: one ``--id`` may give, or a scheduled run's
    (an id with ``/`` is a sub-question's).

    Raises:
        WorkflowNotFoundError: A malformed id: no such report (404).
    """
    try:
        return rc.check_report_id(report_id)
    except UserError:
        raise WorkflowNotFoundError(f"No report with id {report_id[:80]!r}") from None


async def load_report(request: Request, report_id: str,
                      with_query: bool | None = None) -> rc.ReportState:
    """A report's current state; an id that cannot exist is simply not found.

    Raises:
        WorkflowNotFoundError: Unknown or malformed id (the 404 page).
    """
    return await rc.describe_report(await temporal(request), known_id(report_id), with_query)


def ui_link(request: Request, report_id: str) -> str:
    """The Temporal Web UI's page of a report, when the UI is a local one."""
    ctx = context(request)
    return rc.ui_link(ctx.settings, ctx.conn, report_id) if ctx.conn else ""
