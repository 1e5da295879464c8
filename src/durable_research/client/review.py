"""Review actions on a waiting draft or plan (the ``review`` and ``review_plan``
Updates): what a front end read, checked once, and sent (shared by CLI, web and MCP)."""

from __future__ import annotations

import os

from temporalio.client import Client

from durable_research.client.requests import utf8_text
from durable_research.client.research import parse_domains
from durable_research.client.updates import run_update
from durable_research.contract.review import (
    PLAN_REVIEW_ACTIONS,
    REVIEW_ACTIONS,
    UPDATE_REVIEW,
    PlanReviewAction,
    PlanReviewInput,
    ReviewAction,
    ReviewInput,
    ReviewOutcome,
    review_too_large,
)
from durable_research.errors import UserError


def reviewer_name() -> str:
    """Who is reviewing, for the workflow's record."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or ""


async def send_review(client: Client, workflow_id: str, review: ReviewInput) -> ReviewOutcome:
    """Send the ``review`` Update and wait for the workflow's answer.

    Raises:
        UserError: Not UTF-8 text, too large to send, or the workflow rejected it.
        WrongStateError: The report has ended or is not waiting for review.
        WorkflowNotFoundError: No such report.
    """
    utf8_text(review.text, "The edited draft")
    utf8_text(review.feedback, "The feedback")
    too_large = review_too_large(review)
    if too_large:
        raise UserError(too_large, "shorten it: move long tables or appendices out of the "
                        "draft, or edit the report files after approving")
    return await run_update(client, workflow_id, UPDATE_REVIEW, review, ReviewOutcome,
                            "Review not accepted")


def review_input(action: str, text: str = "", feedback: str = "",
                 reviewer: str = "") -> ReviewInput:
    """A draft review as asked for: the action, with the text only ``edit`` uses and the
    feedback only ``revise`` uses (Update arguments stay in the history).

    An empty edit or feedback is the workflow validator's to refuse (it checks every
    client's).

    Raises:
        UserError: An unknown action; a text or feedback the action does not use.
    """
    if action not in REVIEW_ACTIONS:
        raise UserError(f"Unknown review action {action[:40]!r}",
                        f"use one of {', '.join(REVIEW_ACTIONS)}")
    if text and action != ReviewAction.EDIT or feedback and action != ReviewAction.REVISE:
        raise UserError(f"A review {action!r} sends no text",
                        f"a new draft goes with {ReviewAction.EDIT!s}, what should change "
                        f"with {ReviewAction.REVISE!s}")
    return ReviewInput(action=action, text=text, feedback=feedback, reviewer=reviewer)


def plan_review_input(action: str, subquestions: list[str] | None = None,
                      allow_domains: list[str] | None = None,
                      deny_domains: list[str] | None = None,
                      reviewer: str = "",
                      domain_labels: tuple[str, str] = ("Allowed domain", "Denied domain"),
                      ) -> PlanReviewInput:
    """A plan review as asked for: the action, the new sub-questions (``edit`` only) and
    domains to allow or deny (checked as domain names; ``domain_labels`` name the two
    lists in errors as the UI calls them, e.g. the CLI's option names).

    Raises:
        UserError: An unknown action, sub-questions without ``edit``, a value that is
            not a domain name. (The sub-questions themselves are the workflow
            validator's to check.)
    """
    if action not in PLAN_REVIEW_ACTIONS:
        raise UserError(f"Unknown plan review action {action[:40]!r}",
                        f"use one of {', '.join(PLAN_REVIEW_ACTIONS)}")
    questions = [utf8_text(q.strip(), f"Sub-question {i}")
                 for i, q in enumerate((q for q in subquestions or [] if q.strip()), 1)]
    if questions and action != PlanReviewAction.EDIT:
        raise UserError(f"A plan review {action!r} takes no sub-questions",
                        f"new sub-questions go with {PlanReviewAction.EDIT!s}")
    return PlanReviewInput(
        action=action, subquestions=questions, reviewer=reviewer,
        allow_domains=parse_domains(allow_domains or [], domain_labels[0]),
        deny_domains=parse_domains(deny_domains or [], domain_labels[1]))
