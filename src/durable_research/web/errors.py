"""Error pages: a clear message and the right status, never a stack trace.

Under ``/api`` (the HTTP API) the same handlers answer ``{"error": ..., "hint": ...}``
in JSON instead of a page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from temporalio.service import RPCError, RPCStatusCode

from durable_research.client.refusals import HowTo, answer_placeholders, refusal_hint
from durable_research.contract.review import (
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_RAISE_BUDGET,
    UPDATE_REVIEW,
    UPDATE_REVIEW_PLAN,
)
from durable_research.errors import (
    DecisionRefusedError,
    NoWorkerError,
    ReportEndedError,
    ReportFileMissingError,
    TemporalUnavailableError,
    UserError,
    WorkflowNotFoundError,
    WrongStateError,
    ended_hint,
)
from durable_research.web.context import API_ROOT, API_V1, CSRF_HEADER, is_api_path
from durable_research.web.templating import render

log = logging.getLogger(__name__)
# The HTTP API's bodies' media type.
JSON_TYPE = "application/json"
_UNAVAILABLE = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}
_TITLES = {400: "Bad request", 401: "Log in first", 403: "Refused", 404: "Not found",
           405: "Not allowed", 409: "Not accepted", 503: "Temporal is not reachable"}
# The HTTP API's hints for refusals whose message is written for the page.
_API_HINTS = {403: f"send `Authorization: Bearer <token>`, or with a browser session the "
                   f"{CSRF_HEADER} header its pages carry",
              404: f"GET {API_V1}/reports lists the recent reports"}
# A UserError subclass -> its status (the most specific class wins).
_STATUS: dict[type[UserError], int] = {
    WorkflowNotFoundError: 404, ReportFileMissingError: 404, WrongStateError: 409,
    TemporalUnavailableError: 503, NoWorkerError: 503, UserError: 400,
}


# The HTTP API's request sending each decision: its path under the report, and its body.
_API_SENDS = {UPDATE_REVIEW_PLAN: ("plan", '{"action": "approve"}'),
              UPDATE_REVIEW: ("review", '{"action": "approve"}'),
              UPDATE_RAISE_BUDGET: ("budget", '{"max_usd": 1.0}')}


def _api_send(update: str, wid: str, answers: int) -> str:
    if update == UPDATE_ANSWER_QUESTIONS:
        path, body = "answers", json.dumps({"answers": answer_placeholders(answers)})
    else:
        path, body = _API_SENDS.get(update, ("", "{}"))
    return f"POST {API_V1}/reports/{wid}/{path} with {body} ({API_ROOT}/docs has each field)"


# How the HTTP API and the report's page name a report's status and its decisions.
API_HOW = HowTo(status=lambda wid: f"GET {API_V1}/reports/{wid}", send=_api_send)
PAGE_HOW = HowTo(status=lambda wid: "the report's page",
                 send=lambda update, wid, answers: "the report's page has the form for it")


def decision_hint(request: Request, exc: DecisionRefusedError) -> str:
    """The hint of a refused decision, in the names of the API or of the page."""
    return refusal_hint(exc, API_HOW if is_api_path(request.url.path) else PAGE_HOW)


def user_hint(request: Request, exc: UserError, page: str = "the report's page") -> str:
    """The hint of a user mistake in the names of the API or of the page: a refused
    decision's and an ended report's, whose own hints name commands, say where to act or
    look there (``page``: the page's name for the report's page); any other's is its own."""
    if isinstance(exc, DecisionRefusedError):
        return decision_hint(request, exc)
    if isinstance(exc, ReportEndedError):
        api = is_api_path(request.url.path)
        return ended_hint(f"GET {API_V1}/reports/{exc.workflow_id}" if api else page,
                          exc.lead)
    return exc.hint


def error_page(request: Request, status: int, message: str, hint: str = "") -> Response:
    """The error page with ``status`` (JSON for the HTTP API)."""
    if is_api_path(request.url.path):
        return JSONResponse({"error": message, "hint": hint or _API_HINTS.get(status, "")},
                            status_code=status)
    title = _TITLES.get(status, "Something went wrong")
    return render(request, "error.html", status, title=title, message=message, hint=hint)


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorkflowNotFoundError)
    return error_page(request, 404, exc.message, "the reports list shows the recent ones")


async def _ended(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ReportEndedError)
    return error_page(request, 409, exc.message, user_hint(request, exc))


async def _unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TemporalUnavailableError)
    return error_page(request, 503, exc.message, exc.hint)


async def _user_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UserError)
    status = next(code for kind, code in _STATUS.items() if isinstance(exc, kind))
    return error_page(request, status, exc.message, user_hint(request, exc))


async def _rpc_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RPCError)
    if exc.status in _UNAVAILABLE:
        return error_page(request, 503, f"The Temporal server did not answer: {exc.message}",
                          "check that it runs (`research server`) and TEMPORAL_ADDRESS")
    log.warning("Temporal refused a request: %s", exc.message)
    return error_page(request, 502, f"The Temporal server refused the request: {exc.message}")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
    return error_page(request, exc.status_code, message)


def _body_problem(request: Request, errors: Sequence[Mapping[str, Any]]) -> str | None:
    """What is wrong with the body as a whole (missing, not JSON, not an object), in the
    words of the request a script sends; None when the problems are its fields'."""
    for e in errors:
        loc = tuple(e.get("loc", ()))
        if e.get("type") == "json_invalid":
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            return f"the body is not valid JSON{at}: {e.get('ctx', {}).get('error', '')}"
        if loc != ("body",):
            continue
        if e.get("type") == "missing":
            return ("the request needs a JSON object as its body, sent with "
                    f"Content-Type: {JSON_TYPE}")
        sent = request.headers.get("content-type", "").split(";")[0].strip()
        if sent != JSON_TYPE:
            # curl -d without -H sends a form's type: the JSON in it is never read.
            return (f"the body must be JSON sent with Content-Type: {JSON_TYPE} (it came "
                    f"as {sent or 'no Content-Type'})")
        return 'the body must be a JSON object: {"name": value, ...}'
    return None


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_api_path(request.url.path):
        # Where and what: "body.formats.0: Input should be 'pdf', 'md' or 'html'".
        problems = _body_problem(request, exc.errors()) or "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
            for e in exc.errors()[:5])
        return error_page(request, 400, f"Invalid request: {problems}",
                          f"{API_ROOT}/docs describes every request")
    fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors()[:5])
    return error_page(request, 400, f"The form was not filled in as expected ({fields}).")


async def _crash(request: Request, exc: Exception) -> Response:
    # The details go to the server's log only: a page never shows a traceback.
    log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, "Something went wrong on the server; its log says what.")


def install(app: FastAPI) -> None:
    """Register the error pages (the most specific class wins)."""
    app.add_exception_handler(WorkflowNotFoundError, _not_found)
    app.add_exception_handler(TemporalUnavailableError, _unavailable)
    app.add_exception_handler(ReportEndedError, _ended)
    for kind in (ReportFileMissingError, WrongStateError, NoWorkerError, UserError):
        app.add_exception_handler(kind, _user_error)
    app.add_exception_handler(RPCError, _rpc_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crash)
