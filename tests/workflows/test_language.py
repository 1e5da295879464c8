"""The report's language reaches every step that writes: the plan's prompt, the notes, the
agent's turns, the sections and the summary; the single answer too (mocked activities)."""

from __future__ import annotations

from temporalio.client import Client

from durable_research.contract.llm import LlmCallInput
from durable_research.llm.prompts import LANGUAGE_RULE
from durable_research.research.agent.types import AgentTurnInput
from durable_research.research.prompts import TASK_PLAN
from durable_research.research.types import NotesInput, SectionInput

from .conftest import WorkerFactory
from .mocks import MockActivities
from .test_research import start

GERMAN = LANGUAGE_RULE.format(name="German")


async def test_the_fixed_pipeline_is_told_the_language(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        await (await start(client, task_queue, language="de")).result()
    plans = [c for c in mocks.inputs("llm_call", LlmCallInput) if c.system.startswith(TASK_PLAN)]
    assert plans and all(GERMAN in c.system for c in plans)
    notes = mocks.inputs("take_notes", NotesInput)
    sections = mocks.inputs("write_section", SectionInput)
    assert notes and all(n.language == "de" for n in notes)
    assert {s.role for s in sections} == {"section", "summary"}
    assert all(s.language == "de" for s in sections)


async def test_the_agent_and_the_single_answer_are_told_the_language(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities(tool_calling=True)
    async with start_worker(mocks.activities()):
        await (await start(client, task_queue, language="ja")).result()
        await (await start(client, task_queue, language="th", depth="quick")).result()
        # An input from before the option names no language: the prompts are as they were.
        await (await start(client, task_queue, depth="quick")).result()
    turns = mocks.inputs("agent_turn", AgentTurnInput)
    assert turns and all(t.language == "ja" for t in turns)
    calls = [c.system for c in mocks.inputs("llm_call", LlmCallInput)
             if not c.system.startswith(TASK_PLAN)]
    thai = LANGUAGE_RULE.format(name="Thai")
    assert sum(thai in s for s in calls) == 1
    assert sum("Write in" not in s for s in calls) == 1
