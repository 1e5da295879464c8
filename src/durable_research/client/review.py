"""Review actions on a waiting draft (the ``review`` Update), shared by CLI and web."""

from __future__ import annotations

import os

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from durable_research.client.reports import describe_report
from durable_research.client.workers import require_worker
from durable_research.errors import UserError, root_cause
from durable_research.shared import UPDATE_REVIEW, ReviewInput, ReviewOutcome


def reviewer_name() -> str:
    """Who is reviewing, for the workflow's record."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or ""


async def send_review(client: Client, workflow_id: str, review: ReviewInput) -> ReviewOutcome:
    """Send the ``review`` Update and wait for the workflow's answer.

    Raises:
        UserError: The workflow rejected the review or does not exist.
    """
    await describe_report(client, workflow_id)  # clear error for an unknown id
    await require_worker(client, workflow_id)
    handle = client.get_workflow_handle(workflow_id)
    try:
        outcome: ReviewOutcome = await handle.execute_update(
            UPDATE_REVIEW, review, result_type=ReviewOutcome
        )
        return outcome
    except WorkflowUpdateFailedError as exc:
        raise UserError(f"Review not accepted: {root_cause(exc)}") from None
    except RPCError as exc:
        raise UserError(f"Review not accepted: {exc.message}") from None
