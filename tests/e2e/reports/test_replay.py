"""Replay recorded histories with the current workflow code.

A change to ``GenerateReportWorkflow`` that would break workflows already
running in production (non-determinism) fails here. Re-record deliberately,
only for a new workflow version, with
``RECORD_HISTORIES=1 pytest tests/e2e/reports/test_replay.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer, Worker

from durable_research.config import Settings
from durable_research.contract.report import ReportResult
from durable_research.contract.review import UPDATE_REVIEW, ReviewInput, ReviewOutcome
from durable_research.errors import root_cause
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.agent import ResearchAgentWorkflow
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.subquestion import ResearchQuestionWorkflow
from tests.support.helpers import start, wait_for_step
from tests.support.paths import HISTORIES


async def _review(handle: WorkflowHandle[Any, ReportResult], action: str, **fields: str
                  ) -> None:
    # By name: temporalio types an async update declared with @workflow.update(name=...)
    # as returning its coroutine, not the outcome.
    await handle.execute_update(UPDATE_REVIEW, ReviewInput(action=action, **fields),
                                result_type=ReviewOutcome)


async def _scenarios(
    client: Client, settings: Settings
) -> dict[str, WorkflowHandle[Any, ReportResult]]:
    handles: dict[str, WorkflowHandle[Any, ReportResult]] = {}
    handles["plain"] = await start(client, settings, prompt="plain run")
    await handles["plain"].result()
    reviews: dict[str, list[tuple[str, dict[str, str]]]] = {
        "approve": [("approve", {})],
        "edit-approve": [("edit", {"text": "# Edited\n\nBy hand."}), ("approve", {})],
        "revise-approve": [("revise", {"feedback": "More detail."}), ("approve", {})],
        "reject": [("reject", {})],
    }
    for name, steps in reviews.items():
        handle = await start(client, settings, prompt=f"review {name}", review=True)
        await wait_for_step(handle, "waiting for review")
        for action, fields in steps:
            await _review(handle, action, **fields)
        await handle.result()
        handles[name] = handle
    return handles


async def _plain_client(address: str) -> Client:
    """A client without the payload codec: recorded histories must not depend on the
    test session's random key (they replay with plaintext accepted)."""
    return await Client.connect(address)


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records only on request")
async def test_record_histories(
    temporal_address: str, settings: Settings, fake_llm: FakeLLM
) -> None:
    from durable_research.worker.build import build_worker

    plain = await _plain_client(temporal_address)
    HISTORIES.mkdir(exist_ok=True)
    async with build_worker(plain, settings):
        for name, handle in (await _scenarios(plain, settings)).items():
            history = await handle.fetch_history()
            (HISTORIES / f"{name}.json").write_text(history.to_json())


async def _research_scenarios(
    client: Client, settings: Settings, prefix: str
) -> dict[str, WorkflowHandle[Any, ReportResult]]:
    """Research reports: plain, and with a plan edit, a budget raise and a draft review.

    Ids are the file names (``--`` for ``/``): child ids derive from the parent's id.
    """
    from durable_research.client import start_report
    from durable_research.client.research import raise_budget, review_plan
    from durable_research.contract.report import ReportInput, ReportStep
    from durable_research.contract.research import Budget
    from durable_research.contract.review import PlanReviewInput, RaiseBudgetInput

    def params(**fields: object) -> ReportInput:
        return ReportInput(prompt="Tell me about tardigrades.", depth="standard",
                           output_dir=settings.output_dir, **fields)  # type: ignore[arg-type]  # its own fields

    handles: dict[str, WorkflowHandle[Any, ReportResult]] = {}
    handles["research"] = await start_report(client, settings, params(), f"{prefix}research")
    await handles["research"].result()
    # The 4th of the 4 sub-questions waits for a slot: its first round is gathered ahead.
    handles["research--q4"] = client.get_workflow_handle(f"{prefix}research/q4")
    handle = await start_report(client, settings, params(
        review_plan=True, review=True, budget=Budget(max_pages=4)), f"{prefix}research-reviewed")
    await wait_for_step(handle, ReportStep.PLAN_REVIEW)
    await raise_budget(client, handle.id, RaiseBudgetInput(max_pages=8))
    await review_plan(client, handle.id, PlanReviewInput(
        action="edit", subquestions=["How big are tardigrades?", "Where do tardigrades live?",
                                     "How do tardigrades survive in space?"]))
    await wait_for_step(handle, ReportStep.REVIEW)
    await _review(handle, "approve")
    await handle.result()
    handles["research-reviewed"] = handle
    handles["research-reviewed--q1"] = client.get_workflow_handle(f"{handle.id}/q1")
    return handles


@pytest.mark.skipif(not os.environ.get("RECORD_RESEARCH_HISTORIES"),
                    reason="records only on request")
async def test_record_research_histories(
    temporal_address: str, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    from durable_research.worker.build import build_worker

    # A new workflow version is recorded next to the older ones (which running
    # workflows may still have), e.g. ``HISTORY_PREFIX=v2-``.
    prefix = os.environ.get("HISTORY_PREFIX", "")
    plain = await _plain_client(temporal_address)
    async with build_worker(plain, research_settings):
        scenarios = await _research_scenarios(plain, research_settings, prefix)
        for name, handle in scenarios.items():
            history = await handle.fetch_history()
            (HISTORIES / f"{prefix}{name}.json").write_text(history.to_json())


@pytest.mark.skipif(not os.environ.get("RECORD_AGENT_HISTORIES"),
                    reason="records only on request")
async def test_record_agent_histories(
    temporal_address: str, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    """A report researched by the agent (the fake LLM's default researcher): the report
    and its first sub-question (``agent.json``, ``agent--q1.json``)."""
    from dataclasses import replace

    from durable_research.client import start_report
    from durable_research.contract.report import ReportInput
    from durable_research.worker.build import build_worker

    prefix = os.environ.get("HISTORY_PREFIX", "")
    settings = replace(research_settings, llm_tool_calling="on")
    plain = await _plain_client(temporal_address)
    async with build_worker(plain, settings):
        handle = await start_report(plain, settings, ReportInput(
            prompt="Tell me about tardigrades.", depth="standard", agent="on", max_steps=6,
            output_dir=settings.output_dir), f"{prefix}agent")
        await handle.result()
        for name, wid in (("agent", handle.id), ("agent--q1", f"{handle.id}/q1")):
            history = await plain.get_workflow_handle(wid).fetch_history()
            (HISTORIES / f"{prefix}{name}.json").write_text(history.to_json())


def _recorded() -> list[WorkflowHistory]:
    return [
        WorkflowHistory.from_json(path.stem.replace("--", "/"), json.loads(path.read_text()))
        for path in sorted(HISTORIES.glob("*.json"))
    ]


async def test_recorded_histories_replay_with_current_code() -> None:
    from durable_research.payloads.codec import data_converter
    from tests.support.settings import PAYLOAD_KEY

    histories = _recorded()
    assert len(histories) >= 8, "recorded histories are missing"
    # They were recorded before payload encryption: an encrypting worker replays them
    # when it accepts plain payloads (RESEARCH_ENCRYPTION_ACCEPT_PLAIN=true), the
    # upgrade path for workflows started before encryption was on.
    converter = data_converter(Settings(payload_key=PAYLOAD_KEY), encryption_accept_plain=True)
    replayer = Replayer(workflows=[GenerateReportWorkflow, ResearchQuestionWorkflow,
                                   ResearchAgentWorkflow], data_converter=converter)

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in histories:
            yield history

    results = await replayer.replay_workflows(each(), raise_on_replay_failure=False)
    failures = {wid: str(err) for wid, err in results.replay_failures.items()}
    assert failures == {}


async def test_fresh_research_histories_replay(
    client: Client, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    from durable_research.worker.build import build_worker

    async with build_worker(client, research_settings):
        handles = await _research_scenarios(client, research_settings, "fresh-")
    # Fresh histories are encrypted: replay with the client's codec (same key), in the
    # namespace they ran in (payloads are bound to it).
    replayer = Replayer(workflows=[GenerateReportWorkflow, ResearchQuestionWorkflow],
                        data_converter=client.data_converter, namespace=client.namespace)
    for handle in handles.values():
        await replayer.replay_workflow(await handle.fetch_history())


async def test_fresh_histories_replay(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    handles = await _scenarios(client, settings)
    replayer = Replayer(workflows=[GenerateReportWorkflow], data_converter=client.data_converter,
                        namespace=client.namespace)
    for handle in handles.values():
        await replayer.replay_workflow(await handle.fetch_history())


async def test_live_report_records_no_patch_marker_and_mails_per_run(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    """A report running live takes the per-run mail key without the "mail-key-per-run"
    marker (and its search-attribute upsert); its history still replays, and a history
    recorded with the marker still replays (test_recorded_histories_replay...)."""
    from temporalio.api.enums.v1 import EventType

    from durable_research.contract.report import SendEmailInput, report_message_key
    from durable_research.testing.smtp_sink import SmtpSink
    from durable_research.worker.build import build_worker
    from tests.support.settings import mail_settings

    with SmtpSink() as sink:
        mail = mail_settings(settings, sink.port, smtp_from="bot@example.org")
        async with build_worker(client, mail):
            handle = await start(client, mail, prompt="mail per run", email_to="a@example.org")
            result = await handle.result()
    assert result.email.sent and len(sink.messages) == 1
    history = await handle.fetch_history()
    kinds = {ev.event_type for ev in history.events}
    assert EventType.EVENT_TYPE_MARKER_RECORDED not in kinds
    assert EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES not in kinds
    scheduled = [ev.activity_task_scheduled_event_attributes for ev in history.events
                 if ev.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    mail_step = next(a for a in scheduled if a.activity_type.name == "send_email")
    [sent] = await client.data_converter.decode(mail_step.input.payloads, [SendEmailInput])
    run_id = history.events[0].workflow_execution_started_event_attributes.original_execution_run_id
    assert sent.message_key == report_message_key(handle.id, run_id)
    replayer = Replayer(workflows=[GenerateReportWorkflow], data_converter=client.data_converter,
                        namespace=client.namespace)
    await replayer.replay_workflow(history)


# Recorded by the code before payload binding (commit c6a612d): encrypted in format 1 (bound
# to no workflow) with this test-only key, research with children, Updates and Signals.
FORMAT1 = HISTORIES / "format1"
FORMAT1_KEY = "RB0FSmNdPlJpaT+nk5xShQBjHc8U0FSZf1/orUMJ6nk="


async def test_format1_histories_replay_on_workers_that_accept_them() -> None:
    """A workflow started before the upgrade to bound payloads goes on where the workers
    set RESEARCH_ENCRYPTION_ACCEPT_UNBOUND; elsewhere its task fails (retried) and says why."""
    from durable_research.payloads.codec import data_converter, worker_data_converter

    settings = Settings(payload_key=FORMAT1_KEY)
    histories = [
        WorkflowHistory.from_json(f"format1-{path.stem.replace('--', '/')}",
                                  json.loads(path.read_text()))
        for path in sorted(FORMAT1.glob("*.json"))
    ]
    assert len(histories) == 2
    workflows = [GenerateReportWorkflow, ResearchQuestionWorkflow]

    async def replay(accept_unbound: bool) -> dict[str, str]:
        worker_settings = Settings(payload_key=FORMAT1_KEY,
                                   encryption_accept_unbound=accept_unbound)
        converter = worker_data_converter(data_converter(settings), worker_settings)

        async def each() -> AsyncIterator[WorkflowHistory]:
            for history in histories:
                yield history

        results = await Replayer(workflows=workflows, data_converter=converter
                                 ).replay_workflows(each(), raise_on_replay_failure=False)
        return {wid: root_cause(err) for wid, err in results.replay_failures.items()}

    assert await replay(accept_unbound=True) == {}
    refused = await replay(accept_unbound=False)
    assert len(refused) == len(histories)  # keyed by run id
    # The reason, encrypted like any failure message, is in the worker's log (it names the
    # setting); the failure itself says what refused the payload.
    assert all("PayloadDecodeError" in m for m in refused.values()), refused
