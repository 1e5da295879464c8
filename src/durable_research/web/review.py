"""The report page's actions: review the draft (approve, edit, revise, reject) or the
plan, and cancel a running report."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from durable_research import client as rc
from durable_research.client import research as cr
from durable_research.client.review import plan_review_input, review_input
from durable_research.contract.review import AnswersInput, PlanReviewAction, ReviewAction
from durable_research.errors import UserError, WorkflowNotFoundError
from durable_research.web.common import load_report, temporal, ui_link
from durable_research.web.errors import user_hint
from durable_research.web.templating import render
from durable_research.web.views import AnswerAction, report_view

router = APIRouter()
FormText = Annotated[str, Form()]
# Recorded in the workflow's history as who decided.
REVIEWER = "web"
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


# The report page's forms post to these addresses under /reports/ID.
FORMS = ("review", "plan", "answers", "cancel")


async def _report_address(report_id: str) -> Response:
    """A form's address opened (a refusal shows the report page under it; Enter in the
    address bar, a bookmark): the report's page, not "Method Not Allowed"."""
    return RedirectResponse(f"/reports/{quote(report_id, safe='')}", status_code=303)


for _form in FORMS:
    router.add_api_route(f"/reports/{{report_id}}/{_form}", _report_address, methods=["GET"],
                         include_in_schema=False)


async def _refused(request: Request, report_id: str, exc: UserError, **form: object
                   ) -> Response:
    """The report page again, with the workflow's (or our) reason and what to do, and the
    typed text kept."""
    state = await load_report(request, report_id)
    return render(request, "report.html", 409, v=report_view(state), error=exc.message,
                  error_hint=user_hint(request, exc, page="this page"),
                  ui_link=ui_link(request, report_id), **form)


def _done(report_id: str, kind: str, action: str) -> Response:
    # Post/redirect/get: a reload does not send the decision twice.
    return RedirectResponse(f"/reports/{report_id}?done={kind}-{action}", status_code=303)


@router.post("/reports/{report_id}/review")
async def review_draft(request: Request, report_id: str, action: FormText = "",
                       text: FormText = "", feedback: FormText = "") -> Response:
    """Send the ``review`` Update; the workflow's validator has the last word."""
    await load_report(request, report_id, with_query=False)  # 404 for an unknown id
    try:
        # The form posts both text areas: each action sends only what it uses.
        review = review_input(action, text if action == ReviewAction.EDIT else "",
                              feedback if action == ReviewAction.REVISE else "", REVIEWER)
        await rc.send_review(await temporal(request), report_id, review)
    except WorkflowNotFoundError:
        raise
    except UserError as exc:
        return await _refused(request, report_id, exc, form_text=text,
                              form_feedback=feedback)
    return _done(report_id, "review", action)


def plan_lines(text: str) -> list[str]:
    """Sub-questions from the textarea: one a line, list markers and blanks dropped."""
    lines = (_LIST_ITEM.sub("", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def domain_list(text: str) -> list[str]:
    """Domains separated by commas, spaces or new lines."""
    return [d for d in re.split(r"[\s,]+", text) if d]


@router.post("/reports/{report_id}/plan")
async def review_plan(request: Request, report_id: str, action: FormText = "",
                      subquestions: FormText = "", allow_domains: FormText = "",
                      deny_domains: FormText = "") -> Response:
    """Send the ``review_plan`` Update (approve, edit or reject the research plan)."""
    await load_report(request, report_id, with_query=False)
    form = {"form_text": subquestions, "form_allow": allow_domains, "form_deny": deny_domains}
    try:
        # The form posts the plan's text area with every action: only an edit sends it.
        params = plan_review_input(
            action, plan_lines(subquestions) if action == PlanReviewAction.EDIT else [],
            domain_list(allow_domains), domain_list(deny_domains), REVIEWER)
        await cr.review_plan(await temporal(request), report_id, params)
    except WorkflowNotFoundError:
        raise
    except UserError as exc:
        return await _refused(request, report_id, exc, **form)
    return _done(report_id, "plan", action)


@router.post("/reports/{report_id}/answers")
async def answer_questions(request: Request, report_id: str, action: FormText = "",
                           answers: Annotated[list[str] | None, Form()] = None) -> Response:
    """Send the ``answer_questions`` Update (answers, or none: plan without them)."""
    await load_report(request, report_id, with_query=False)
    given = [] if action == AnswerAction.NONE else list(answers or [])
    try:
        if action not in tuple(AnswerAction):
            raise UserError(f"Unknown action {action[:40]!r}")
        await cr.answer_questions(await temporal(request), report_id,
                                  AnswersInput(answers=given, reviewer=REVIEWER))
    except WorkflowNotFoundError:
        raise
    except UserError as exc:
        return await _refused(request, report_id, exc, form_answers=given)
    return RedirectResponse(f"/reports/{report_id}?done=answers-sent", status_code=303)


@router.post("/reports/{report_id}/cancel")
async def cancel_report(request: Request, report_id: str) -> Response:
    """Ask a running report to stop, as ``research cancel`` does."""
    await load_report(request, report_id, with_query=False)
    try:
        await rc.cancel_report(await temporal(request), report_id)
    except WorkflowNotFoundError:
        raise
    except UserError as exc:
        return await _refused(request, report_id, exc)
    return _done(report_id, "cancel", "requested")
