"""Review actions on a waiting draft (the ``review`` Update), shared by CLI and web."""

from __future__ import annotations

import os

from temporalio.client import Client

from durable_research.client.updates import run_update
from durable_research.contract.review import (
    UPDATE_REVIEW,
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
        UserError: Too large to send, or the workflow rejected the review, has ended
            or does not exist.
    """
    too_large = review_too_large(review)
    if too_large:
        raise UserError(too_large, "shorten it: move long tables or appendices out of the "
                        "draft, or edit the report files after approving")
    return await run_update(client, workflow_id, UPDATE_REVIEW, review, ReviewOutcome,
                            "Review not accepted")
