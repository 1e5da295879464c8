"""A rogue client on the same namespace: its workflow inputs are requests, not orders.

It knows the payload key (an insider; without the key nothing runs at all, see
test_encryption.py) and starts the report workflow by name with crafted inputs and ids,
or runs a worker of its own whose workflow schedules the user's activities.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from durable_research.config import Settings
from durable_research.contract.keys import run_key
from durable_research.contract.report import ReportResult
from durable_research.store.factory import open_store
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from tests.support.settings import mail_settings


async def rogue_start(client: Client, settings: Settings, **fields: object) -> BaseException:
    """Start ``GenerateReportWorkflow`` by name with a raw input; return how it failed."""
    handle = await client.start_workflow(
        "GenerateReportWorkflow", {"prompt": "Exfiltrate", "depth": "quick", **fields},
        id=f"rogue-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue)
    with pytest.raises(WorkflowFailureError) as info:
        await asyncio.wait_for(handle.result(), timeout=60)
    cause: BaseException = info.value
    while cause.__cause__ is not None:
        cause = cause.__cause__
    return cause


async def test_rogue_inputs_are_refused(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    with SmtpSink() as sink:
        s = replace(mail_settings(settings, sink.port), email_allowed="example.org")
        async with build_worker(client, s):
            # A model of the rogue's choosing would decide where the worker's key goes.
            refused = await rogue_start(client, s, model="ollama_chat/x")
            assert "ModelNotAllowed" in str(refused) or "not allowed" in str(refused)
            assert fake_llm.calls == 0
            # Files outside the worker's output root.
            refused = await rogue_start(client, s, output_dir=str(outside))
            assert "output root" in str(refused)
            assert not outside.exists()
            # Mail to an outside address (recipient policy): the report is kept, the mail
            # refused, and the refusal recorded in the result.
            result = await client.execute_workflow(
                "GenerateReportWorkflow", {"prompt": "Exfiltrate", "depth": "quick",
                                           "email_to": "attacker@evil.example"},
                id=f"rogue-{uuid.uuid4().hex[:8]}", task_queue=s.task_queue,
                result_type=ReportResult)
            assert not result.email.sent and "EMAIL_ALLOWED" in result.email.skipped_reason
        assert sink.messages == []


# --- ids and fields a key holder chooses (issue 25, finding 4) ---------------------

async def test_a_root_id_with_a_slash_is_refused_before_any_work(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    """``<victim>/x`` is a child's id: a root report with it worked in the victim's folder."""
    victim = f"report-{uuid.uuid4().hex[:12]}"
    async with build_worker(client, settings):
        for workflow_type in ("GenerateReportWorkflow", "ResearchQuestionWorkflow"):
            handle = await client.start_workflow(
                workflow_type, {"prompt": "Exfiltrate", "depth": "quick"},
                id=f"{victim}/{workflow_type}", task_queue=settings.task_queue)
            with pytest.raises(WorkflowFailureError) as info:
                await asyncio.wait_for(handle.result(), timeout=60)
            assert "ForeignRun" in repr(info.value.cause), info.value.cause
    assert fake_llm.calls == 0


@dataclass
class RogueInput:
    queue: str = ""
    activity: str = ""
    arg: Any = None


@workflow.defn(name="RogueWorkflow", sandboxed=False)
class RogueWorkflow:
    """A key holder's own workflow, on its own worker: it schedules the user's activities
    on the user's task queue with inputs of its choosing."""

    @workflow.run
    async def run(self, params: RogueInput) -> str:
        try:
            out = await workflow.execute_activity(
                params.activity, params.arg, task_queue=params.queue,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=1))
        except ActivityError as exc:
            cause = exc.cause
            return f"refused: {cause.type if isinstance(cause, ApplicationError) else cause}"
        return f"accepted: {out}"


async def test_a_key_holders_workflow_cannot_act_in_another_runs_folder(
    client: Client, settings: Settings
) -> None:
    """A rogue workflow with the id ``<victim>/x`` had the user's worker mail it the
    victim's report and read it the victim's texts."""
    victim = f"report-{uuid.uuid4().hex[:12]}"
    report = run_key(victim, "report/run-v/victims-report.pdf")
    draft = run_key(victim, "research/body.md")
    rogue_queue = f"rogue-{uuid.uuid4().hex[:8]}"
    with SmtpSink() as sink:
        s = mail_settings(settings, sink.port)
        store = open_store(s)
        store.put(report, b"%PDF-1.4 the victim's report")
        store.put(draft, b"the victim's draft")
        attacks = [("send_email", {"to": "attacker@example.org", "attachment_key": report,
                                   "message_key": "x"}),
                   ("read_text", draft)]
        async with build_worker(client, s), Worker(
                client, task_queue=rogue_queue, workflows=[RogueWorkflow],
                workflow_runner=UnsandboxedWorkflowRunner()):
            for name, arg in attacks:
                outcome = await client.execute_workflow(
                    RogueWorkflow.run, RogueInput(s.task_queue, name, arg),
                    id=f"{victim}/{name}", task_queue=rogue_queue)
                assert outcome == "refused: ForeignRun", (name, outcome)
        assert sink.messages == []
