"""Clarifying questions (``clarify``): the model asks before planning, the report waits
for the answers (an Update), and the plan is asked for with them."""

from __future__ import annotations

import json

import pytest
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)

from durable_research.contract.llm import AnswerSchema, LlmCallInput, LlmCallOutput
from durable_research.contract.report import ReportResult, ReportStep
from durable_research.contract.review import AnswersInput
from durable_research.workflows.report import GenerateReportWorkflow

from .conftest import WorkerFactory
from .mocks import MODEL, MockActivities, usage, wait_for_step
from .test_research import start

QUESTIONS = ["Which period matters to you?", "Who will read the report?"]


class Asking(MockActivities):
    """A model that asks ``questions`` before planning."""

    def __init__(self, questions: list[str]) -> None:
        super().__init__()
        self.questions = questions

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        if params.answer_schema == AnswerSchema.CLARIFY:
            return LlmCallOutput(text=json.dumps({"questions": self.questions}), model=MODEL,
                                 usage=usage())
        return await super().answer_llm(params)

    def plan_prompts(self) -> list[str]:
        return [c.prompt for c in self.inputs("llm_call", LlmCallInput)
                if c.answer_schema == AnswerSchema.PLAN]


async def answer(handle: WorkflowHandle[GenerateReportWorkflow, ReportResult],
                 answers: list[str]) -> list[str]:
    """Send the ``answer_questions`` Update."""
    return await handle.execute_update(GenerateReportWorkflow.answer_questions,
                                       AnswersInput(answers=answers, reviewer="ann"))


async def test_answers_reach_the_plan_and_the_notes(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Asking(QUESTIONS)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, clarify=True)
        await wait_for_step(handle, ReportStep.CLARIFY)
        status = await handle.query(GenerateReportWorkflow.status)
        assert status.questions == QUESTIONS and status.waiting_for_answers_since
        assert mocks.plan_prompts() == []  # nothing planned before the answers
        asked = await answer(handle, ["the last ten years", ""])
        result = await handle.result()
        history = (await handle.query(GenerateReportWorkflow.status)).history
    assert asked == QUESTIONS and result.status == "completed"
    [prompt] = mocks.plan_prompts()
    assert "Which period matters to you? the last ten years" in prompt
    assert "Who will read" not in prompt  # an empty answer leaves its question out
    assert any("Which period matters to you? the last ten years" in n
               for n in result.research_notes)
    assert any("clarifying questions answered by ann: 1 of 2" in line for line in history)


async def test_answers_are_refused_when_not_asked_too_many_or_twice(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Asking(QUESTIONS)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, clarify=True, review_plan=True)
        await wait_for_step(handle, ReportStep.CLARIFY)
        with pytest.raises(WorkflowUpdateFailedError) as many:
            await answer(handle, ["a", "b", "c"])
        await answer(handle, [])  # none: plan from the question as written
        await wait_for_step(handle, ReportStep.PLAN_REVIEW)
        with pytest.raises(WorkflowUpdateFailedError) as late:
            await answer(handle, ["a"])
        await handle.cancel()
        # Wait for the cancel to land before the worker stops: a report left open on the
        # session's time-skipping server stops time for every later test (measured: the
        # next deadline test hung under load).
        with pytest.raises(WorkflowFailureError):
            await handle.result()
    assert "Invalid answers: 3 answers for 2 question(s)" in str(many.value.cause)
    assert "not waiting for answers (step: waiting for plan review)" in str(late.value.cause)
    [prompt] = mocks.plan_prompts()
    assert "clarifying" not in prompt


async def test_the_deadline_plans_without_answers(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Asking(QUESTIONS)
    async with start_worker(mocks.activities()):
        # review_timeout_action "reject" is for reviews: unanswered questions never end
        # a report.
        handle = await start(client, task_queue, clarify=True, review_timeout_s=3600,
                             review_timeout_action="reject")
        result = await handle.result()
        history = (await handle.query(GenerateReportWorkflow.status)).history
    assert result.status == "completed"
    assert any("deadline passed, planning without answers" in line for line in history)
    assert any("not answered" in n for n in result.research_notes)


async def test_no_questions_no_wait(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Asking([])
    async with start_worker(mocks.activities()):
        result = await (await start(client, task_queue, clarify=True)).result()
    assert result.status == "completed"
    assert not any("clarifying" in n for n in result.research_notes)
    assert len(mocks.plan_prompts()) == 1
