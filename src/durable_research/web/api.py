"""The HTTP API (``/api/v1``): the page's actions as JSON, for scripts.

A thin layer over the same client functions the page and the CLI call
(:func:`~durable_research.client.prepare_report`, ``client.review``, ``client.research``,
``client.reports``, ``client.files``, ``client.watch``): nothing is validated here that
they do not validate. Access is the page's (see ``security.py``): the access token as
``Authorization: Bearer``, or a browser session with its CSRF token on every POST.
Errors are ``{"error": ..., "hint": ...}`` (``errors.py``): 400 bad input, 401/403
access, 404 unknown report or file, 409 wrong state, 503 Temporal or worker missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from sse_starlette import EventSourceResponse, ServerSentEvent
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.client import research as cr
from durable_research.client.files import MEDIA_TYPES, read_report_file
from durable_research.client.prepare import prepare_report
from durable_research.client.reports import refuse_ended_without_report
from durable_research.client.review import plan_review_input, review_input
from durable_research.client.workers import workers_here
from durable_research.contract.report import ReportFormat
from durable_research.contract.review import (
    AnswersInput,
    BudgetOutcome,
    ReviewOutcome,
)
from durable_research.errors import UserError
from durable_research.research.websearch import describe_web_search
from durable_research.web.api_models import (
    Accepted,
    Answers,
    ApiError,
    Asked,
    BudgetRaise,
    DraftReview,
    NewReport,
    PlanInForce,
    PlanReview,
    ReportInfo,
    ReportList,
    Started,
)
from durable_research.web.common import context, known_id, load_report, temporal
from durable_research.web.context import API_V1
from durable_research.web.files import file_response
from durable_research.web.live import POLL_S, until_set

# Recorded in the workflow's history as who decided.
REVIEWER = "http-api"
LIST_LIMIT = 50
# The server-sent events of GET .../events.
STATUS_EVENT = "status"
DONE_EVENT = "done"
# The guard middleware checks the token; this only puts the scheme into the schema.
_BEARER = HTTPBearer(auto_error=False, description="The token `research web` printed "
                                                   "(its URL's ?token=...).")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ApiError, "description": text} for code, text in (
        (400, "Bad input"), (401, "No valid token or session"),
        (403, "A session's POST without its CSRF token"), (404, "No such report or file"),
        (409, "The report is not in the state the action needs"),
        (421, "A Host other than localhost/127.0.0.1 on loopback"),
        (429, "Too many wrong tokens from this address: wait a minute"),
        (503, "Temporal or a worker is not reachable"))}
router = APIRouter(prefix=API_V1, tags=["reports"], dependencies=[Depends(_BEARER)],
                   responses=_ERRORS)


def _started(report_id: str, web_search: str, notes: list[str]) -> Started:
    base = f"{API_V1}/reports/{report_id}"
    return Started(id=report_id, status_url=base, events_url=f"{base}/events",
                   web_search=web_search, notes=notes)


@router.get("/reports", summary="List recent reports")
async def list_reports(
        request: Request,
        limit: Annotated[int, Query(ge=1, le=rc.MAX_LIST)] = LIST_LIMIT) -> ReportList:
    """The most recent reports (at most ``limit``), newest first."""
    return ReportList(reports=await rc.list_reports(await temporal(request), limit))


@router.post("/reports", status_code=201, summary="Start a report")
async def start_report(request: Request, body: NewReport, response: Response) -> Started:
    """Validate the request as the page and the CLI do, then start the report."""
    settings = context(request).settings
    # workers_here reads the embedded server's pid file, only with an e-mail to check.
    prepared = await prepare_report(settings, body.request(), workers_here=workers_here)
    handle = await rc.start_report(await temporal(request), settings, prepared.params)
    choice = prepared.web_search
    started = _started(handle.id, describe_web_search(choice) if choice else "",
                       prepared.notes)
    response.headers["location"] = started.status_url
    return started


@router.get("/reports/{report_id}", summary="A report's status")
async def report_status(request: Request, report_id: str) -> ReportInfo:
    """Its status and step, the draft or plan waiting for review, its files."""
    return ReportInfo.of(await load_report(request, report_id))


@router.get("/reports/{report_id}/events", summary="Follow a report (server-sent events)",
            response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description":
                             f"A `{STATUS_EVENT}` event (a ReportInfo as JSON) on every "
                             f"change, then `{DONE_EVENT}` once the report has ended."}})
async def report_events(request: Request, report_id: str) -> EventSourceResponse:
    """The report's status on every change, until it ends (then a ``done`` event)."""
    await load_report(request, report_id, with_query=False)  # a 404 before streaming
    client = await temporal(request)
    stopping = context(request).stopping

    async def stream() -> AsyncIterator[ServerSentEvent]:
        try:
            async for state in until_set(stopping, rc.watch(client, report_id, POLL_S)):
                yield ServerSentEvent(ReportInfo.of(state).model_dump_json(),
                                      event=STATUS_EVENT)
        except (RPCError, UserError):
            return  # Temporal went away: the client reconnects and gets the 503
        if not stopping.is_set():
            yield ServerSentEvent("ended", event=DONE_EVENT)

    return EventSourceResponse(stream(), ping=15)


@router.post("/reports/{report_id}/answers", summary="Answer the clarifying questions")
async def answer_questions(request: Request, report_id: str, body: Answers) -> Asked:
    """Answer a report's clarifying questions (started with ``clarify``); no answers at
    all: it plans without them."""
    asked = await cr.answer_questions(await temporal(request), known_id(report_id),
                                      AnswersInput(answers=body.answers, reviewer=REVIEWER))
    return Asked(questions=asked)


@router.post("/reports/{report_id}/plan", summary="Review the research plan")
async def review_plan(request: Request, report_id: str, body: PlanReview) -> PlanInForce:
    """Approve, edit or reject the plan of a report waiting for plan review."""
    params = plan_review_input(body.action, body.subquestions, body.allow_domains,
                               body.deny_domains, REVIEWER)
    return PlanInForce(plan=await cr.review_plan(await temporal(request), known_id(report_id),
                                                 params))


@router.post("/reports/{report_id}/review", summary="Review the draft")
async def review_draft(request: Request, report_id: str, body: DraftReview) -> ReviewOutcome:
    """Approve, edit, revise or reject the draft of a report waiting for review."""
    review = review_input(body.action, body.text, body.feedback, REVIEWER)
    return await rc.send_review(await temporal(request), known_id(report_id), review)


@router.post("/reports/{report_id}/budget", summary="Raise the budget")
async def raise_budget(request: Request, report_id: str, body: BudgetRaise) -> BudgetOutcome:
    """Raise a running report's caps so its research can go on."""
    params = cr.budget_raise_input(body.max_usd, body.max_tokens, body.max_pages)
    return await cr.raise_budget(await temporal(request), known_id(report_id), params)


@router.post("/reports/{report_id}/cancel", status_code=202, summary="Cancel a report")
async def cancel_report(request: Request, report_id: str) -> Accepted:
    """Ask a running report to stop at its current step."""
    await rc.cancel_report(await temporal(request), known_id(report_id))
    return Accepted(id=report_id, message="Cancelling: the report stops at its current step.")


@router.get("/reports/{report_id}/files/{fmt}", summary="Download a report file",
            response_class=Response,
            responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()},
                             "description": "The file, as the workflow stored it."}})
async def download(request: Request, report_id: str, fmt: ReportFormat) -> Response:
    """One of a finished report's files, by format (never by path)."""
    state = await load_report(request, report_id, with_query=False)
    refuse_ended_without_report(state)
    stored = await asyncio.to_thread(read_report_file, context(request).settings, report_id,
                                     state.result, fmt)
    return file_response(stored)
