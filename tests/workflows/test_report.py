"""The report workflow's own logic: steps, review, failures, mail, cancellation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

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

from durable_research.contract.llm import LlmCallInput, LlmCallOutput
from durable_research.contract.report import (
    ChangesInput,
    CreatePdfInput,
    CreatePdfOutput,
    ReportInput,
    ReportResult,
    SendEmailInput,
    SendEmailOutput,
    report_message_key,
)
from durable_research.contract.review import UPDATE_REVIEW, ReviewInput, ReviewOutcome
from durable_research.workflows.report import GenerateReportWorkflow

from .conftest import WorkerFactory
from .mocks import (
    MODEL,
    MockActivities,
    count,
    history,
    patches,
    scheduled_activities,
    wait_for_event,
    wait_for_step,
)


async def start(client: Client, task_queue: str, **fields: object
                ) -> WorkflowHandle[GenerateReportWorkflow, ReportResult]:
    """Start a report with ``ReportInput(**fields)`` under a fresh report id."""
    params = ReportInput(**fields)  # type: ignore[arg-type]  # its own fields, as objects
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
    assert steps == ["step: answering", "step: writing report", "step: e-mail",
                     "step: completed"]
    assert status.result == result
    assert await scheduled_activities(handle) == ["llm_call", "create_pdf", "send_email"]
    # A quick report takes no research branch and records no patch marker.
    assert await patches(handle) == []
    assert await count(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) == 1


async def test_scheduled_report_puts_the_changes_first(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """A schedule's report lays out the body the changes step made (by key, patched)."""
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="Weekly news?", schedule_id="sched-1")
        await handle.result()
        lines = await log_lines(handle)
    assert mocks.names() == ["llm_call", "report_changes", "create_pdf", "send_email"]
    (changes,) = mocks.inputs("report_changes", ChangesInput)
    assert changes.schedule_id == "sched-1" and changes.body_key == ""
    assert changes.body_markdown == "ANSWER to: Weekly news?"
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_key == "changes/sched-1.md" and pdf.content.body_markdown == ""
    assert await patches(handle) == ["changes-since-last-run"]
    assert "changes: first run" in lines


# ----- draft review -----------------------------------------------------------------------
async def review(handle: WorkflowHandle[Any, ReportResult], action: str,
                 **fields: str) -> ReviewOutcome:
    """Send the ``review`` Update as reviewer "ann" (by name, as the app's clients do)."""
    outcome: ReviewOutcome = await handle.execute_update(
        UPDATE_REVIEW, ReviewInput(action=action, reviewer="ann", **fields),
        result_type=ReviewOutcome)
    return outcome


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


# ----- failures and retries -----------------------------------------------------------------
class PdfRefused(MockActivities):
    """``create_pdf`` fails for good (a non-retryable application error)."""

    async def answer_pdf(self, params: CreatePdfInput) -> CreatePdfOutput:
        raise ApplicationError("the output folder is outside the root",
                               type="OutputDirRefused", non_retryable=True)


async def test_non_retryable_failure_fails_the_report_with_its_type(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = PdfRefused()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="fail me", email_to="a@example.org")
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    activity_error = failed.value.cause
    assert isinstance(activity_error, ActivityError)
    assert activity_error.activity_type == "create_pdf"
    cause = activity_error.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OutputDirRefused"
    assert cause.non_retryable
    # The message travelled encrypted and this client (with the key) reads it back.
    assert cause.message == "the output folder is outside the root"
    assert mocks.names() == ["llm_call", "create_pdf"]  # not retried, no mail
    assert mocks.attempts("create_pdf") == [1]
    assert await count(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED) == 1


class FlakyLlm(MockActivities):
    """``llm_call`` fails twice (retryable, like a rate limit), then answers."""

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        if activity.info().attempt < 3:
            raise ApplicationError("429 rate limited", type="RateLimitError")
        return await super().answer_llm(params)


async def test_retryable_failure_is_retried_with_backoff_then_succeeds(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = FlakyLlm()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="retry me")
        result = await handle.result()
    assert result.status == "completed"
    assert mocks.attempts("llm_call") == [1, 2, 3]
    assert mocks.names() == ["llm_call"] * 3 + ["create_pdf", "send_email"]
    # Retries live on the server: one scheduled activity, one completion.
    assert await scheduled_activities(handle) == ["llm_call", "create_pdf", "send_email"]
    started = [e.activity_task_started_event_attributes for e in await history(handle)
               if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
    assert started[0].attempt == 3


class DiskFullOnce(MockActivities):
    """``create_pdf`` finds the output disk full on its first schedule."""

    async def answer_pdf(self, params: CreatePdfInput) -> CreatePdfOutput:
        if len(self.inputs("create_pdf", CreatePdfInput)) == 1:
            raise ApplicationError("No space left on device", type="OutputDiskFull",
                                   non_retryable=True)
        return await super().answer_pdf(params)


async def test_full_disk_waits_on_a_durable_timer_and_renders_again(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = DiskFullOnce()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="disk full")
        result = await handle.result()
        lines = await log_lines(handle)
    assert result.status == "completed"
    assert await scheduled_activities(handle) == ["llm_call", "create_pdf", "create_pdf",
                                                  "send_email"]
    assert await count(handle, EventType.EVENT_TYPE_TIMER_FIRED) == 1  # 30 s, skipped
    assert "create_pdf: the output disk is full; trying again in 30 s" in lines
    first, second = mocks.inputs("create_pdf", CreatePdfInput)
    assert first == second  # the same draft, rendered again (the LLM is not asked again)
    assert mocks.names().count("llm_call") == 1


class WorkerLostTwice(MockActivities):
    """``llm_call`` attempts fail as the supervisor fails a dead worker's (``WorkerLost``)."""

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        if len(self.inputs("llm_call", LlmCallInput)) <= 2:
            raise ApplicationError("worker died", type="WorkerLost", non_retryable=True)
        return await super().answer_llm(params)


async def test_lost_workers_reschedule_the_step(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = WorkerLostTwice()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="lost")
        result = await handle.result()
        lines = await log_lines(handle)
    assert result.status == "completed"
    assert (await scheduled_activities(handle))[:3] == ["llm_call"] * 3
    assert lines.count("llm_call: its workers kept dying; scheduling it again") == 2


# ----- the mail step ------------------------------------------------------------------------
class MailUncertain(MockActivities):
    """The SMTP server took the whole message but its reply was lost."""

    async def answer_email(self, params: SendEmailInput) -> SendEmailOutput:
        return SendEmailOutput(sent=False, uncertain=True, recipients=[params.to],
                               skipped_reason="delivery unknown: the connection dropped "
                                              "after the message was sent")


class MailRefused(MockActivities):
    """The address is invalid (a non-retryable type of the mail step's RetryPolicy)."""

    async def answer_email(self, params: SendEmailInput) -> SendEmailOutput:
        raise ApplicationError("no such domain", type="InvalidAddress")


async def test_mail_sent(client: Client, task_queue: str, start_worker: WorkerFactory) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="mail me", email_to="r@example.org")
        result = await handle.result()
    assert result.email == SendEmailOutput(sent=True, message_id="<1@mock>",
                                           recipients=["r@example.org"])
    assert result.note == ""


async def test_mail_delivery_unknown_is_reported_not_retried(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MailUncertain()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="mail me", email_to="r@example.org")
        result = await handle.result()
    assert result.status == "completed" and result.pdf_path
    assert not result.email.sent and result.email.uncertain
    assert result.note.startswith("delivery unknown:")
    assert mocks.attempts("send_email") == [1]


async def test_mail_refused_keeps_the_report(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MailRefused()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="mail me", email_to="r@bad")
        result = await handle.result()
        lines = await log_lines(handle)
    # InvalidAddress is non-retryable by the step's policy: one attempt, and the report
    # (already on disk) completes with the reason.
    assert mocks.attempts("send_email") == [1]
    assert result.status == "completed" and result.pdf_path
    assert not result.email.sent and result.note == "e-mail failed: InvalidAddress: no such domain"
    assert result.email.skipped_reason == result.note
    assert "e-mail failed: InvalidAddress: no such domain" in lines


# ----- cancellation, ids, patches -----------------------------------------------------------
async def test_cancel_while_waiting_for_review(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="cancel me", review=True)
        await wait_for_step(handle, "waiting for review")
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        desc = await handle.describe()
    assert isinstance(failed.value.cause, CancelledError)
    assert desc.status == WorkflowExecutionStatus.CANCELED
    assert mocks.names() == ["llm_call"]


class BlockingLlm(MockActivities):
    """``llm_call`` runs until cancelled; it heartbeats only once the workflow has asked
    for the cancel, so its first heartbeat's answer carries it (the SDK throttles later
    beats to 0.8 x the heartbeat timeout)."""

    def __init__(self) -> None:
        super().__init__()
        self.cancel_sent = asyncio.Event()
        self.saw_cancel = False

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        await self.cancel_sent.wait()
        try:
            while True:
                activity.heartbeat()
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            self.saw_cancel = True
            raise


async def cancel_during_llm_call(
    client: Client, task_queue: str, mocks: BlockingLlm | FinishingLlm, prompt: str
) -> tuple[WorkflowHandle[GenerateReportWorkflow, ReportResult], WorkflowFailureError]:
    """Start a report, cancel it once its ``llm_call`` runs, let the activity go on once
    the cancel was asked for, and return the report's failure."""
    handle = await start(client, task_queue, prompt=prompt)
    await asyncio.wait_for(mocks.event("llm_call").wait(), 10)
    await handle.cancel()
    await wait_for_event(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)
    mocks.cancel_sent.set()
    with pytest.raises(WorkflowFailureError) as failed:
        await asyncio.wait_for(handle.result(), 10)
    return handle, failed.value


async def test_cancel_reaches_the_running_activity_before_the_report_ends(
    client: Client, task_queue: str, start_worker: WorkerFactory, env: WorkflowEnvironment
) -> None:
    mocks = BlockingLlm()
    async with start_worker(mocks.activities()):
        handle, failed = await cancel_during_llm_call(client, task_queue, mocks,
                                                      "cancel the llm")
    assert isinstance(failed.cause, CancelledError)
    # WAIT_CANCELLATION_COMPLETED: the workflow ended only after the activity stopped.
    assert mocks.saw_cancel
    kinds = [e.event_type for e in await history(handle)]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED in kinds
    assert kinds.index(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED) < kinds.index(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED)
    assert mocks.names() == ["llm_call"]


class FinishingLlm(MockActivities):
    """``llm_call`` answers after the workflow asked for the cancel, never hearing it (no
    heartbeat): under load, an attempt ends between two heartbeats that way."""

    def __init__(self) -> None:
        super().__init__()
        self.cancel_sent = asyncio.Event()

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        await self.cancel_sent.wait()
        return await super().answer_llm(params)


async def test_a_cancel_the_running_step_never_heard_still_ends_the_report(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """The SDK hands the workflow the finished step's result and uses the cancel up; the
    report went on to its PDF and mail (under load in the CLI test: on to its review,
    waiting there for good)."""
    mocks = FinishingLlm()
    async with start_worker(mocks.activities()):
        handle, failed = await cancel_during_llm_call(client, task_queue, mocks,
                                                      "cancel while the llm finishes")
        desc = await handle.describe()
    assert isinstance(failed.cause, CancelledError)
    assert desc.status == WorkflowExecutionStatus.CANCELED
    kinds = [e.event_type for e in await history(handle)]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in kinds  # it did finish
    assert mocks.names() == ["llm_call"]  # and nothing came after it


async def test_an_id_naming_a_parent_is_refused_before_any_step(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await client.start_workflow(
            GenerateReportWorkflow.run, ReportInput(prompt="x"),
            id=f"report-{uuid.uuid4().hex[:8]}/q1", task_queue=task_queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ForeignRun"
    assert mocks.calls == []
