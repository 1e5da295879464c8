"""The report workflow's own logic: steps, review, failures, mail, cancellation."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.testing import WorkflowEnvironment

from durable_research.shared import (
    CreatePdfInput,
    LlmCallInput,
    ReportInput,
    ReportResult,
    ReviewInput,
    ReviewOutcome,
    SendEmailInput,
    SendEmailOutput,
    report_message_key,
)
from durable_research.workflows.report import GenerateReportWorkflow

from .conftest import WorkerFactory
from .mocks import (
    MODEL,
    MockActivities,
    count,
    patches,
    scheduled_activities,
    wait_for_step,
)


async def start(client: Client, task_queue: str, **fields: object
                ) -> WorkflowHandle[GenerateReportWorkflow, ReportResult]:
    """Start a report with ``ReportInput(**fields)`` under a fresh report id."""
    params = ReportInput(**fields)  # type: ignore[arg-type]
    return await client.start_workflow(
        GenerateReportWorkflow.run, params, id=f"report-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue)


async def test_quick_report_runs_llm_pdf_mail_in_order(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="  Why is the sky blue?  ",
                             email_to="reader@example.org", formats=["pdf", "md"])
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert mocks.names() == ["llm_call", "create_pdf", "send_email"]
    (llm,) = mocks.inputs("llm_call", LlmCallInput)
    assert llm.prompt == "Why is the sky blue?" and not llm.answer_schema
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.question == "Why is the sky blue?"
    assert pdf.content.body_markdown == "ANSWER to: Why is the sky blue?"
    assert pdf.basename.startswith("why-is-the-sky-blue-") and pdf.formats == ["pdf", "md"]
    (mail,) = mocks.inputs("send_email", SendEmailInput)
    assert mail.to == "reader@example.org" and mail.attachment_key == result.keys[0]
    assert mail.attachment_path == ""
    assert mail.message_key == report_message_key(handle.id, handle.result_run_id or "")
    assert result.status == "completed" and result.model == MODEL
    assert result.pdf_path.endswith(".pdf") and len(result.paths) == 2
    assert result.store == "mock-store" and result.email.sent and result.note == ""
    assert result.usage.total_tokens == 30 and result.references == []
    steps = [line.split(" ", 1)[1] for line in status.history if " step: " in line]
    assert steps == ["step: researching", "step: writing report", "step: sending e-mail",
                     "step: completed"]
    assert status.result == result
    assert await scheduled_activities(handle) == ["llm_call", "create_pdf", "send_email"]
    # A quick report takes no research branch and records no patch marker.
    assert await patches(handle) == []
    assert await count(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) == 1


# ----- draft review -----------------------------------------------------------------------
async def review(handle: WorkflowHandle[GenerateReportWorkflow, ReportResult], action: str,
                 **fields: str) -> ReviewOutcome:
    """Send the ``review`` Update as reviewer "ann"."""
    return await handle.execute_update(
        GenerateReportWorkflow.review, ReviewInput(action=action, reviewer="ann", **fields))


async def log_lines(handle: WorkflowHandle[GenerateReportWorkflow, ReportResult]) -> list[str]:
    """The report's status history, without the time stamps."""
    status = await handle.query(GenerateReportWorkflow.status)
    return [line.split(" ", 1)[1] for line in status.history]


async def test_review_approve_writes_the_draft(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="approve me", review=True)
        await wait_for_step(handle, "waiting for review")
        assert mocks.names() == ["llm_call"]  # nothing is written before the decision
        status = await handle.query(GenerateReportWorkflow.status)
        assert status.draft == "ANSWER to: approve me" and status.versions == 1
        assert status.waiting_for_review_since
        outcome = await review(handle, "approve")
        result = await handle.result()
        lines = await log_lines(handle)
    assert outcome.action == "approve" and outcome.version == 1
    assert result.status == "completed"
    assert mocks.names() == ["llm_call", "create_pdf", "send_email"]
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_markdown == "ANSWER to: approve me"
    assert "review: approved by ann" in lines
    assert await count(handle, EventType.EVENT_TYPE_TIMER_STARTED) == 0  # no deadline


async def test_review_edit_then_approve_writes_the_edited_text(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="edit me", review=True)
        await wait_for_step(handle, "waiting for review")
        edited = await review(handle, "edit", text="# Mine\n\nA human wrote this.")
        # An edit is not a decision: the report still waits.
        assert edited.version == 2 and edited.step == "waiting for review"
        assert mocks.names() == ["llm_call"]
        await review(handle, "approve")
        result = await handle.result()
    assert result.status == "completed"
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_markdown == "# Mine\n\nA human wrote this."


async def test_review_revise_asks_the_llm_with_the_feedback(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="revise me", review=True, model="m2")
        await wait_for_step(handle, "waiting for review")
        outcome = await review(handle, "revise", feedback="Mention water bears.")
        await review(handle, "approve")
        result = await handle.result()
    assert outcome.version == 2 and outcome.step == "waiting for review"
    first, revise = mocks.inputs("llm_call", LlmCallInput)
    assert "Mention water bears." in revise.prompt and "ANSWER to: revise me" in revise.prompt
    assert revise.model == "m2"
    assert outcome.draft == f"ANSWER to: {revise.prompt[:60]}"
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_markdown == outcome.draft
    assert result.usage.total_tokens == 60  # both LLM calls are counted


async def test_review_reject_ends_without_a_report(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="reject me", review=True)
        await wait_for_step(handle, "waiting for review")
        await review(handle, "reject")
        result = await handle.result()
        desc = await handle.describe()
    assert result.status == "rejected" and not result.pdf_path and not result.keys
    assert result.note == "The draft was rejected; no report was written."
    assert mocks.names() == ["llm_call"]
    assert desc.status == WorkflowExecutionStatus.COMPLETED


async def test_review_refused_when_malformed_or_not_waiting(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="refuse me", review=True)
        await wait_for_step(handle, "waiting for review")
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await review(handle, "shrug")
        with pytest.raises(WorkflowUpdateFailedError) as empty:
            await review(handle, "edit", text="   ")
        await review(handle, "approve")
        with pytest.raises(WorkflowUpdateFailedError) as late:
            await review(handle, "reject")
        result = await handle.result()
    assert "Unknown review action 'shrug'" in str(unknown.value.cause)
    assert "An edit needs the replacement text" in str(empty.value.cause)
    assert "not waiting for review" in str(late.value.cause)
    assert result.status == "completed"
    # Refused Updates never enter the history; only the approve does.
    assert await count(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) == 1


@pytest.mark.parametrize(("action", "status", "said"), [
    ("approve", "completed", "review deadline passed: auto-approved"),
    ("reject", "rejected", "review deadline passed: auto-rejected"),
])
async def test_review_deadline_applies_the_default_action(
    client: Client, task_queue: str, start_worker: WorkerFactory, action: str, status: str,
    said: str
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        # A whole day's deadline passes at once: the server skips to the durable timer.
        handle = await start(client, task_queue, prompt="nobody reviews", review=True,
                             review_timeout_s=86_400, review_timeout_action=action)
        result = await handle.result()
        lines = await log_lines(handle)
    assert result.status == status and said in lines
    assert await count(handle, EventType.EVENT_TYPE_TIMER_FIRED) == 1
    writes = ["create_pdf", "send_email"] if action == "approve" else []
    assert mocks.names() == ["llm_call", *writes]
