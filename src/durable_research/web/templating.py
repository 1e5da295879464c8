"""Jinja templates of the web app: autoescaped, with the shared names they compare to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from durable_research.contract.review import MAX_ANSWER_CHARS, PlanReviewAction, ReviewAction
from durable_research.document.render_research import NOT_STATED
from durable_research.web.views import PLAN_LABELS, REVIEW_LABELS, AnswerAction, Stage

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def environment() -> Environment:
    """The template environment: every ``{{ value }}`` is HTML-escaped (LLM and user
    text included); an undefined name is an error, not an empty string."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=False)
    env.globals.update(Stage=Stage, ReviewAction=ReviewAction, PlanReviewAction=PlanReviewAction,
                       review_labels=REVIEW_LABELS, plan_labels=PLAN_LABELS,
                       AnswerAction=AnswerAction, max_answer=MAX_ANSWER_CHARS,
                       # Before a disputed claim's passage its source does not state (as
                       # the report's "About" table says it).
                       not_stated=NOT_STATED)
    return env


_ENV = environment()


def render_text(request: Request, name: str, **context: Any) -> str:
    """A template rendered for ``request`` (its CSRF token, whether a logout is offered)."""
    state = request.scope.get("state", {})
    ctx = request.app.state.ctx
    base = {"csrf_token": state.get("csrf_token", ""), "logged_in": bool(ctx.token),
            "error": "", "notice": "", "form_text": None, "form_feedback": "",
            "form_allow": "", "form_deny": "", "form_answers": [], "hint": "",
            "left_out": []}
    return _ENV.get_template(name).render({**base, **context})


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page as an HTML response."""
    return HTMLResponse(render_text(request, name, **context), status_code=status)
