"""Replay recorded histories with the current workflow code.

A change to ``GenerateReportWorkflow`` that would break workflows already
running in production (non-determinism) fails here. Re-record deliberately,
only for a new workflow version, with ``RECORD_HISTORIES=1 pytest tests/test_replay.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer, Worker

from durable_research.config import Settings
from durable_research.shared import ReviewInput
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.report import GenerateReportWorkflow

from .helpers import start, wait_for_step

HISTORIES = Path(__file__).parent / "histories"


async def _review(handle: WorkflowHandle, action: str, **fields: str) -> None:
    await handle.execute_update(GenerateReportWorkflow.review, ReviewInput(action=action, **fields))


async def _scenarios(client: Client, settings: Settings) -> dict[str, WorkflowHandle]:
    handles: dict[str, WorkflowHandle] = {}
    handles["plain"] = await start(client, settings, prompt="plain run")
    await handles["plain"].result()
    for name, steps in {
        "approve": [("approve", {})],
        "edit-approve": [("edit", {"text": "# Edited\n\nBy hand."}), ("approve", {})],
        "revise-approve": [("revise", {"feedback": "More detail."}), ("approve", {})],
        "reject": [("reject", {})],
    }.items():
        handle = await start(client, settings, prompt=f"review {name}", review=True)
        await wait_for_step(handle, "waiting for review")
        for action, fields in steps:
            await _review(handle, action, **fields)
        await handle.result()
        handles[name] = handle
    return handles


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records only on request")
async def test_record_histories(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    HISTORIES.mkdir(exist_ok=True)
    for name, handle in (await _scenarios(client, settings)).items():
        history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())


def _recorded() -> list[WorkflowHistory]:
    return [
        WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))
        for path in sorted(HISTORIES.glob("*.json"))
    ]


async def test_recorded_histories_replay_with_current_code() -> None:
    histories = _recorded()
    assert len(histories) >= 5, "recorded histories are missing"
    replayer = Replayer(workflows=[GenerateReportWorkflow])

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in histories:
            yield history

    results = await replayer.replay_workflows(each(), raise_on_replay_failure=False)
    failures = {wid: str(err) for wid, err in results.replay_failures.items()}
    assert failures == {}


async def test_fresh_histories_replay(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    handles = await _scenarios(client, settings)
    replayer = Replayer(workflows=[GenerateReportWorkflow])
    for handle in handles.values():
        await replayer.replay_workflow(await handle.fetch_history())
