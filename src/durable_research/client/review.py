"""Review actions on a waiting draft (the ``review`` Update), shared by CLI and web."""

from __future__ import annotations

import os

from temporalio.client import Client

from durable_research.client.updates import run_update
from durable_research.contract.review import (
    REVIEW_ACTIONS,
    UPDATE_REVIEW,
    ReviewAction,
    ReviewInput,
    ReviewOutcome,
    review_too_large,
)
from durable_research.errors import UserError


def reviewer_name() -> str:
    """Who is reviewing, for the workflow's record."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or ""


def review_input(action: str, reviewer: str, text: str = "", feedback: str = "") -> ReviewInput:
    """A review as a front end received it -> the Update's argument.

    Each action sends only what it uses: Update arguments stay in the history (a draft
    typed into the page's textarea is not recorded with an approval).

    Raises:
        UserError: An action that is not a :class:`ReviewAction`.
    """
    if action not in REVIEW_ACTIONS:
        raise UserError(f"Unknown review action {action[:40]!r}",
                        f"use one of {', '.join(REVIEW_ACTIONS)}")
    return ReviewInput(action=action, reviewer=reviewer,
                       text=text if action == ReviewAction.EDIT else "",
                       feedback=feedback if action == ReviewAction.REVISE else "")


async def send_review(client: Client, workflow_id: str, review: ReviewInput) -> ReviewOutcome:
    """Send the ``review`` Update and wait for the workflow's answer.

    Raises:
        UserError: Too large to send, or the workflow rejected the review.
        WrongStateError: The report has ended or is not waiting for review.
        WorkflowNotFoundError: No such report.
    """
    too_large = review_too_large(review)
    if too_large:
        raise UserError(too_large, "shorten it: move long tables or appendices out of the "
                        "draft, or edit the report files after approving")
    return await run_update(client, workflow_id, UPDATE_REVIEW, review, ReviewOutcome,
                            "Review not accepted")
