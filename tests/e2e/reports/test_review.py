"""Human review through the ``review`` Update, the deadline timer, cancellation."""

from __future__ import annotations

import asyncio
import os
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.contract.report import ReportResult, ReportStatus
from durable_research.contract.review import UPDATE_REVIEW, ReviewInput, ReviewOutcome
from durable_research.testing.fake_llm import FakeLLM
from durable_research.worker.build import build_worker
from durable_research.workflows.report import GenerateReportWorkflow
from tests.support.cli import assert_clean_error, research
from tests.support.helpers import start, wait_for_step
from tests.support.paths import DATA
from tests.support.pdftools import pdf_file_text as pdf_text
from tests.support.processes import kill, spawn_worker

ReportHandle = WorkflowHandle[Any, ReportResult]


async def review(handle: ReportHandle, action: str, **fields: str) -> ReviewOutcome:
    """Send the review Update and return the workflow's answer."""
    # By name with result_type: temporalio types an async update declared with
    # @workflow.update(name=...) as returning its coroutine, not the outcome.
    outcome: ReviewOutcome = await handle.execute_update(
        UPDATE_REVIEW, ReviewInput(action=action, reviewer="tester", **fields),
        result_type=ReviewOutcome,
    )
    return outcome


async def waiting(client: Client, settings: Settings, prompt: str, **fields: object
                  ) -> ReportHandle:
    """Start a report with review and wait until the draft waits for a person."""
    handle = await start(client, settings, prompt=prompt, review=True, **fields)
    await wait_for_step(handle, "waiting for review")
    return handle


async def test_status_query_shows_draft_while_waiting(
    client: Client, settings: Settings, worker: Worker
) -> None:
    handle = await waiting(client, settings, "query me")
    status = await handle.query(GenerateReportWorkflow.status)
    assert status.step == "waiting for review"
    assert "FAKE-LLM answer to: query me" in status.draft
    assert status.waiting_for_review_since
    assert status.usage.completion_tokens > 0 and status.versions == 1
    await review(handle, "approve")
    await handle.result()


async def test_approve_writes_the_report(
    client: Client, settings: Settings, worker: Worker
) -> None:
    handle = await waiting(client, settings, "approve me")
    outcome = await review(handle, "approve")
    assert outcome.action == "approve" and "Approved" in outcome.message
    result: ReportResult = await handle.result()
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    history = (await handle.query(GenerateReportWorkflow.status)).history
    assert any("review: approved by tester" in line for line in history)


async def test_edit_replaces_the_draft(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    handle = await waiting(client, settings, "edit me")
    outcome = await review(handle, "edit", text="# Mine\n\nA human wrote this paragraph.")
    assert outcome.version == 2 and outcome.draft.startswith("# Mine")
    assert outcome.step == "waiting for review"
    await review(handle, "approve")
    result = await handle.result()
    text = " ".join(pdf_text(result.pdf_path).split())
    assert "A human wrote this paragraph." in text and "FAKE-LLM" not in text
    assert fake_llm.successes == 1


async def test_an_edited_research_draft_says_so_in_the_result(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    """The report's "About" said that the text was changed after the citation check,
    the result did not: `research result` printed "15 cited sentences: 15 verified" for a
    draft the reviewer had replaced by one sentence (a new user's trial)."""
    prepared = cr.ingest_sources(settings, [str(DATA / "conflict_docs")])
    handle = await waiting(client, settings, "What is Larkspur Queue's default port?",
                           depth="standard", collection=prepared.collection, web=False)
    await review(handle, "edit", text="# Mine\n\nThe broker listens on port 7450 [1].")
    await review(handle, "approve")
    result = await handle.result()
    assert result.verification is not None
    assert any("changed in review after the citation check" in note
               for note in result.research_notes), result.research_notes
    # The report says the same.
    md = " ".join(pdf_text(result.pdf_path).split())
    assert "changed in review after the citation check" in md


async def test_revise_calls_the_llm_and_keeps_versions(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    handle = await waiting(client, settings, "revise me")
    outcome = await review(handle, "revise", feedback="Mention water bears.")
    assert outcome.version == 2
    # The fake echoes the user message, which carries draft and feedback.
    assert "Mention water bears." in outcome.draft
    status = await handle.query(GenerateReportWorkflow.status)
    assert status.versions == 2 and status.draft == outcome.draft
    assert fake_llm.successes == 2
    await review(handle, "approve")
    result = await handle.result()
    assert "Mention water bears." in " ".join(pdf_text(result.pdf_path).split())
    assert result.usage.prompt_tokens == status.usage.prompt_tokens


async def test_reject_ends_cleanly_without_report(
    client: Client, settings: Settings, worker: Worker
) -> None:
    handle = await waiting(client, settings, "reject me")
    await review(handle, "reject")
    result = await handle.result()
    assert result.status == "rejected" and not result.pdf_path
    assert not list(Path(settings.output_dir).glob("*")) if Path(settings.output_dir).exists() \
        else True
    desc = await handle.describe()
    assert desc.status == WorkflowExecutionStatus.COMPLETED


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("publish", {}, "Unknown review action 'publish'"),
        ("edit", {"text": "  \n"}, "edit needs the replacement text"),
        ("revise", {"feedback": ""}, "revision needs feedback"),
    ],
)
async def test_validator_rejects_bad_reviews(
    client: Client, settings: Settings, worker: Worker, action: str,
    fields: dict[str, str], message: str,
) -> None:
    handle = await waiting(client, settings, f"validate {action}")
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await review(handle, action, **fields)
    assert message in str(info.value.cause)
    # Rejected updates leave no trace in the history; the workflow still waits.
    async for event in handle.fetch_history_events():
        assert event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    await review(handle, "approve")
    assert (await handle.result()).status == "completed"


async def test_review_of_finished_workflow_is_refused(
    client: Client, settings: Settings, worker: Worker
) -> None:
    handle = await waiting(client, settings, "finish first")
    await review(handle, "approve")
    await handle.result()
    with pytest.raises((WorkflowUpdateFailedError, RPCError)) as info:
        await review(handle, "approve")
    assert "completed" in str(info.value).lower() or "not waiting" in str(info.value)


async def test_review_after_worker_restart(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    doomed = spawn_worker(settings, tmp_path)
    try:
        handle = await start(client, settings, prompt="restart while waiting", review=True)
        await wait_for_step(handle, "waiting for review")
    finally:
        kill(doomed)
    # A new worker rebuilds the waiting state by replaying the history.
    async with build_worker(client, settings):
        outcome = await review(handle, "revise", feedback="Shorter please.")
        assert outcome.version == 2
        await review(handle, "approve")
        # A generous bound: the killed worker's unfinished work (its sticky queue, an
        # activity it held) is taken over only after its timeouts; 60 s was missed once at
        # load 8.
        result = await asyncio.wait_for(handle.result(), 240)
    assert result.status == "completed"
    assert fake_llm.successes == 2


async def test_cancel_while_waiting(client: Client, settings: Settings, worker: Worker) -> None:
    handle = await waiting(client, settings, "cancel me")
    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as info:
        await handle.result()
    assert isinstance(info.value.cause, CancelledError)
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED


async def test_cancel_stops_a_running_llm_call(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    fake_llm.configure(delay=20)
    handle = await start(client, settings, prompt="cancel the call")
    while fake_llm.calls == 0:
        await asyncio.sleep(0.05)
    await handle.cancel()
    with pytest.raises(WorkflowFailureError):
        await asyncio.wait_for(handle.result(), 15)
    # The activity heard the cancel through its heartbeat and stopped.
    types = [e.event_type async for e in handle.fetch_history_events()]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED in types
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED in types


@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_review_deadline_is_a_durable_timer(
    settings: Settings, fake_llm: FakeLLM, action: str
) -> None:
    server = Path(sysconfig.get_path("scripts")) / "temporal-test-server"
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(server)
    ) as env:
        async with build_worker(env.client, settings):
            handle = await start(
                env.client, settings, prompt=f"deadline {action}", review=True,
                review_timeout_s=86_400, review_timeout_action=action,
            )
            # Time moves only when we say so: activities run in real time (their
            # heartbeat timeouts must not be skipped past), then a day passes at once.
            with env.auto_time_skipping_disabled():
                await wait_for_step(handle, "waiting for review")
                await env.sleep(86_400)
                result = await asyncio.wait_for(handle.result(), 60)
            status = await handle.query(GenerateReportWorkflow.status)
    said = {"approve": "auto-approved", "reject": "auto-rejected"}[action]
    assert any(said in line for line in status.history), status.history
    if action == "approve":
        assert result.status == "completed" and Path(result.pdf_path).is_file()
    else:
        assert result.status == "rejected" and not result.pdf_path


async def test_an_edit_too_large_to_send_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    """Issue 25: a 2.5 MB edit was sent, failed the workflow task (Temporal refuses
    payloads over 2 MB) and left the report stuck with a cryptic message."""
    from durable_research.client.review import send_review
    from durable_research.contract.review import MAX_REVIEW_BYTES
    from durable_research.errors import UserError
    from durable_research.workflows.review_handlers import DraftReview

    big = ReviewInput(action="edit", text="é" * (MAX_REVIEW_BYTES // 6 + 1))  # 6 bytes each
    with pytest.raises(UserError) as info:  # refused before any connection is used
        await send_review(None, "report-x", big)  # type: ignore[arg-type]  # never used: refused first
    assert "The edited draft is 1.0 MB as sent; a review can send at most 1.0 MB" in str(
        info.value.message)
    fits = ReviewInput(action="edit", text="é" * (MAX_REVIEW_BYTES // 6 - 1))
    state = DraftReview()
    state._status, state._decision = ReportStatus(step="waiting for review"), ""
    state.validate_review(fits)  # the workflow refuses what other clients send unchecked
    with pytest.raises(ApplicationError, match="a review can send at most"):
        state.validate_review(big)
    huge = tmp_path / "draft.md"
    huge.write_bytes(b"x" * (MAX_REVIEW_BYTES + 1))
    proc = research("edit", "report-x", "--file", str(huge), env=dict(os.environ),
                    cwd=tmp_path)
    assert_clean_error(proc, "is over 1.0 MB")
