"""Encrypted payloads are bound to their workflow (issue 25, findings 3 and two Lows).

Attacks by someone without the key who can read histories and talk to the server (a
second local user, a stolen Temporal credential): replay an encrypted input into a new
workflow, read failure messages, wedge a run with one plaintext Signal or Update.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.worker import Worker

from durable_research.config import Settings
from durable_research.errors import root_cause
from durable_research.shared import UPDATE_REVIEW, ReportInput, ReviewInput
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.subquestion import PROGRESS_SIGNAL

from .helpers import start, wait_for_step

QUESTION = "Where does Aunt Mildred hide the spare key to the greenhouse?"


async def _history_types(client: Client, workflow_id: str) -> list[int]:
    return [e.event_type async for e in client.get_workflow_handle(workflow_id)
            .fetch_history_events()]


# ----- replay: an input copied from one history into a new workflow -------------------


async def test_copied_start_input_starts_no_work(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    # The user's report, on a queue nobody works: its encrypted input waits in its history.
    idle = replace(settings, task_queue=f"idle-{uuid.uuid4().hex[:8]}")
    victim = await start(client, idle, prompt=QUESTION, email_to="mildred@example.org")
    keyless = await Client.connect(temporal_address)  # no codec, no key
    started = (await keyless.get_workflow_handle(victim.id).fetch_history()).events[0]
    copied = [RawValue(p) for p in
              started.workflow_execution_started_event_attributes.input.payloads]
    try:
        for n in range(3):
            copy = await keyless.start_workflow(
                "GenerateReportWorkflow", args=copied, id=f"replay-{n}-{uuid.uuid4().hex[:8]}",
                task_queue=settings.task_queue)
            with pytest.raises(WorkflowFailureError) as info:
                await asyncio.wait_for(client.get_workflow_handle(copy.id).result(), 60)
            message = root_cause(info.value)
            assert f"bound to workflow {victim.id!r}" in message, message
            assert copy.id in message
            types = await _history_types(client, copy.id)
            assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in types
            assert EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED not in types
            # Failed at once, not retried: one workflow task, then the failure.
            assert types.count(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) == 0
            assert types[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
        assert fake_llm.calls == 0
    finally:
        await victim.terminate("test cleanup")


# ----- failure messages are encrypted like every other payload ----------------------------


async def test_failure_messages_are_not_stored_in_clear(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    folder = "/tmp/mildreds-private-greenhouse-notes"
    handle = await client.start_workflow(
        "GenerateReportWorkflow", ReportInput(prompt=QUESTION, output_dir=folder),
        id=f"fails-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue)
    with pytest.raises(WorkflowFailureError) as info:
        await asyncio.wait_for(handle.result(), 60)
    # The key holder reads why ...
    assert "output root" in root_cause(info.value) and folder in root_cause(info.value)
    # ... the server, its database and a keyless reader of the history do not.
    keyless = await Client.connect(temporal_address)
    history = await keyless.get_workflow_handle(handle.id).fetch_history()
    types = {e.event_type for e in history.events}
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED in types
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED in types
    raw = b"".join(e.SerializeToString() for e in history.events)
    for clear in (folder, "mildreds-private", "output root", "RESEARCH_OUTPUT_DIR"):
        assert clear.encode() not in raw, clear


# ----- a keyless Signal or Update is refused without wedging the run ----------------------


async def test_plain_signal_and_update_do_not_wedge_a_run(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    handle = await start(client, settings, prompt=QUESTION, review=True)
    await wait_for_step(handle, "waiting for review")
    keyless = await Client.connect(temporal_address)
    theirs = keyless.get_workflow_handle(handle.id)
    await theirs.signal(PROGRESS_SIGNAL, {"index": 0, "state": "done"})
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await asyncio.wait_for(theirs.execute_update(UPDATE_REVIEW, {"action": "approve"}), 30)
    assert "Refusing an unencrypted payload" in root_cause(info.value)
    # The signal was dropped with a log line naming why.
    dropped = [r for r in caplog.records if "dropping the signal" in r.getMessage()]
    assert dropped and dropped[0].exc_info and dropped[0].exc_info[1]
    assert "Refusing an unencrypted payload" in root_cause(dropped[0].exc_info[1])
    # The run goes on: the user's own review is taken and the report finishes.
    await asyncio.wait_for(
        handle.execute_update(GenerateReportWorkflow.review, ReviewInput(action="approve")), 30)
    result = await asyncio.wait_for(handle.result(), 60)
    assert result.status == "completed"
    types = await _history_types(client, handle.id)
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in types
