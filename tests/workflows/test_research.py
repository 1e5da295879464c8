"""The research part of a report: plan, sub-question children, budget, plan review,
compare_notes, sections and the citation check, all with mocked activities."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError

from durable_research.contract.llm import AnswerSchema, LlmCallInput, LlmCallOutput
from durable_research.contract.report import (
    ChangesInput,
    CreatePdfInput,
    ReportInput,
    ReportResult,
)
from durable_research.contract.research import Budget, SubState
from durable_research.contract.review import (
    UPDATE_RAISE_BUDGET,
    BudgetOutcome,
    PlanReviewInput,
    RaiseBudgetInput,
    past_tense,
)
from durable_research.research.types import (
    SUMMARY_LEFT_OUT,
    CheckInput,
    CheckResult,
    CompareNotesInput,
    FetchPagesInput,
    FetchPagesOutput,
    LlmStored,
    NotesConflicts,
    NotesInput,
    SearchInput,
    SearchOutput,
    SectionInput,
    SourcesAvailable,
    SourcesInput,
    SubResearchInput,
)
from durable_research.workflows.report import BUDGET_FALLBACK_PATCH, GenerateReportWorkflow
from durable_research.workflows.subquestion import ResearchQuestionWorkflow

from .conftest import WorkerFactory
from .mocks import (
    MODEL,
    PLAN,
    MockActivities,
    history,
    page_hash,
    patches,
    scheduled_activities,
    slug,
    usage,
    wait_for_step,
)

QUESTION = "How do tardigrades survive?"


async def start(client: Client, task_queue: str, **fields: object
                ) -> WorkflowHandle[GenerateReportWorkflow, ReportResult]:
    """Start a standard-depth research report on ``QUESTION`` (fields override)."""
    params = ReportInput(**{"prompt": QUESTION, "depth": "standard",  # type: ignore[arg-type]  # its fields
                            "email_to": "r@example.org", **fields})
    return await client.start_workflow(
        GenerateReportWorkflow.run, params, id=f"report-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue)


def first_page(subquestion: str) -> str:
    """The hash of the first page the mock search finds for ``subquestion``."""
    return page_hash(f"https://example.org/{slug(subquestion)}/1")


async def children(handle: WorkflowHandle[GenerateReportWorkflow, ReportResult]) -> list[str]:
    """The ids of the child workflows the report started, in order."""
    return [e.start_child_workflow_execution_initiated_event_attributes.workflow_id
            for e in await history(handle)
            if e.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED]


async def test_research_happy_path(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    wid = handle.id
    # The report's own steps, in order; the children's steps in between.
    own = [c.name for c in mocks.calls if c.workflow_id == wid]
    # Each section is written once its sub-question and the earlier ones have ended, its
    # notes compared with theirs first; the summary once all are written.
    # The check is prepared once every section's notes are compared (while the sections
    # are written), then the summary is written while the rest of the check is prepared.
    assert own[:2] == ["research_sources", "llm_call"]
    assert sorted(own[-5:-3]) == ["prepare_check", "write_section"]
    assert own[-3:] == ["check_citations", "create_pdf", "send_email"]
    assert sorted(own[8:-5]) == ["compare_notes"] * 3 + ["prepare_check"] + \
        ["write_section"] * 3
    (plan,) = mocks.inputs("llm_call", LlmCallInput)
    assert plan.answer_schema == AnswerSchema.PLAN and QUESTION in plan.prompt
    # Fan-out: one child per sub-question, under the report's id, each search -> fetch ->
    # notes, all before the notes are compared.
    # Each sub-question's first round is searched and fetched by the report before the
    # child starts ("notes-in-plan-order"); the child takes notes.
    assert sorted(await children(handle)) == [f"{wid}/q1", f"{wid}/q2", f"{wid}/q3"]
    for i, sub in enumerate(PLAN, 1):
        steps = [c.name for c in mocks.calls if c.workflow_id == f"{wid}/q{i}"]
        assert steps == ["take_notes"], (sub, steps)
    assert own[2:8] == ["search", "fetch_pages"] * 3 or \
        sorted(own[2:8]) == ["fetch_pages"] * 3 + ["search"] * 3
    assert sorted(s.query for s in mocks.inputs("search", SearchInput)) == sorted(PLAN)
    assert all(len(f.pages) == 2 for f in mocks.inputs("fetch_pages", FetchPagesInput))
    notes = [f"notes/{slug(q)}.json" for q in PLAN]
    compares = sorted(mocks.inputs("compare_notes", CompareNotesInput), key=lambda c: c.key)
    # Section n's notes against those of sections 1..n (plan order).
    assert [(c.key, c.notes_keys, c.focus_keys) for c in compares] == [
        (f"conflicts/0{n}.json", notes[:n], [notes[n - 1]]) for n in (1, 2, 3)]
    # Sections, then the summary over them in plan order.
    sections = mocks.inputs("write_section", SectionInput)
    assert [s.role for s in sections] == ["section"] * 3 + ["summary"]
    assert sorted(s.heading for s in sections[:3]) == sorted(PLAN)
    assert sections[3].section_keys == ["sections/01.md", "sections/02.md", "sections/03.md"]
    for s in sections[:3]:
        assert [r.content_hash for r in s.references] == [first_page(s.subquestion)]
    (check,) = mocks.inputs("check_citations", CheckInput)
    assert check.section_keys == ["sections/00-summary.md", "sections/01.md",
                                  "sections/02.md", "sections/03.md"]
    assert check.use_judge and [r.n for r in check.references] == [1, 2, 3]
    # The pages read but quoted by no note are evidence for the check.
    assert {r.content_hash for r in check.evidence} == {
        page_hash(f"https://example.org/{slug(q)}/2") for q in PLAN}
    # Prepared: the same check but for the summary, not written yet (the first time for
    # the sections written by then).
    early, prepared = mocks.inputs("prepare_check", CheckInput)
    assert prepared == replace(check, section_keys=check.section_keys[1:])
    assert early == replace(check, section_keys=early.section_keys)
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_key == "draft-checked.md" and pdf.content.body_markdown == ""
    # The result.
    assert result.status == "completed" and result.subquestions == PLAN
    assert result.sources_used == "mock-web"
    assert [r.url for r in result.references] == [
        f"https://example.org/{slug(q)}/1" for q in PLAN]
    assert result.verification is not None and result.verification.checked == 5
    assert result.verification.supported == 4
    assert result.verification.treatment == "marked [unverified] in the text"
    # plan + 3 notes + 3 sections + summary + check, 30 tokens each.
    assert result.usage.total_tokens == 9 * 30
    assert result.research_notes == [] and result.note == ""
    # Live runs take the patched branches (markers recorded), except the mail key's,
    # which is asked for only in replay.
    assert await patches(handle) == ["research-v1", "plan-first-n", "plan-words-only",
                                     "sections-while-researching", "notes-in-plan-order",
                                     "compare-notes-one-at-a-time", "check-after-research",
                                     "compare-notes", "check-while-summary"]
    child = client.get_workflow_handle(f"{wid}/q1")
    # (Given its first round, one round's child never searches: no "fetch-pages-batch".)
    assert await patches(child) == ["progress-nowait-fetch-6"]


async def test_scheduled_research_compares_the_checked_draft(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """A schedule's research report hands the checked draft (by key) and its references to
    the changes step, and lays out the body that step made."""
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, schedule_id="sched-2")
        result = await handle.result()
    own = [c.name for c in mocks.calls if c.workflow_id == handle.id]
    assert own[-4:] == ["check_citations", "report_changes", "create_pdf", "send_email"]
    (changes,) = mocks.inputs("report_changes", ChangesInput)
    assert changes.body_key == "draft-checked.md" and changes.body_markdown == ""
    assert changes.references == result.references and result.references
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.body_key == "changes/sched-2.md"
    assert pdf.content.references == result.references


async def test_waiting_subquestions_start_as_slots_free(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    plan = [*PLAN, "What is the fourth aspect?"]
    mocks = MockActivities(plan=plan)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    assert result.subquestions == plan and len(result.references) == 4
    events = await history(handle)
    kinds = [e.event_type for e in events]
    started = [i for i, k in enumerate(kinds)
               if k == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED]
    ended = [i for i, k in enumerate(kinds)
             if k == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED]
    # Three at a time (the standard preset): the fourth starts after one has ended.
    assert len(started) == 4 and started[3] > ended[0] > started[2]
    # Each sub-question is searched once, by the report: the first three before their
    # children start, the fourth ahead while the running ones take notes
    # ("prefetch-waiting-subquestions") or when its slot frees; each child gets its
    # first round in its input and only takes notes.
    assert "prefetch-waiting-subquestions" in await patches(handle)
    searched = sorted(s.query for s in mocks.inputs("search", SearchInput))
    assert searched == sorted(plan)
    ahead = [c.name for c in mocks.calls if c.workflow_id == handle.id
             and c.name in ("search", "fetch_pages")]
    assert sorted(ahead) == ["fetch_pages"] * 4 + ["search"] * 4
    for i in range(1, 5):
        steps = [c.name for c in mocks.calls if c.workflow_id == f"{handle.id}/q{i}"]
        assert steps == ["take_notes"]


FOURTH = "What is the fourth aspect?"


@dataclass
class FirstFetchHeld(MockActivities):
    """q3's first round of pages comes only once q1 and q2 take notes, and their notes only
    once the report searches ahead (for q4): had q3 its pages when the report searched?"""

    others_noting: asyncio.Event = field(default_factory=asyncio.Event)
    searched_ahead: asyncio.Event = field(default_factory=asyncio.Event)
    noting: set[str] = field(default_factory=set)
    q3_has_pages: bool = False
    ahead_after_q3_pages: list[bool] = field(default_factory=list)

    @activity.defn(name="fetch_pages")
    async def fetch_pages(self, params: FetchPagesInput) -> FetchPagesOutput:
        """Mock of ``fetch_pages``: q3's first call waits for the others' notes."""
        self._record("fetch_pages", params)
        if slug(PLAN[2]) in params.pages[0].url and not self.q3_has_pages:
            await self.others_noting.wait()
            self.q3_has_pages = True
        return FetchPagesOutput(sources=[self.fetched(p) for p in params.pages])

    async def answer_search(self, params: SearchInput) -> SearchOutput:
        if params.query == FOURTH:  # the report's search ahead
            self.ahead_after_q3_pages.append(self.q3_has_pages)
            self.searched_ahead.set()
        return await super().answer_search(params)

    async def answer_notes(self, params: NotesInput) -> LlmStored:
        child = (activity.info().workflow_id or "").rsplit("/", 1)[-1]
        if child in ("q1", "q2") and child not in self.noting:
            self.noting.add(child)
            if self.noting == {"q1", "q2"}:
                self.others_noting.set()
            await self.searched_ahead.wait()
        return await super().answer_notes(params)


async def test_waiting_subquestions_are_gathered_once_the_running_ones_have_their_pages(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # Gathering ahead searches and fetches as a running sub-question's first round does: it
    # waits until every running one has its pages (they all fetch at once at the start,
    # and the slowest holds up the report), then uses the time they wait for notes.
    mocks = FirstFetchHeld(plan=[*PLAN, FOURTH])
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    assert len(result.subquestions) == 4
    assert "prefetch-after-first-rounds" in await patches(handle)
    assert mocks.ahead_after_q3_pages == [True]
    fourth = [c.name for c in mocks.calls if c.workflow_id == f"{handle.id}/q4"]
    assert fourth == ["take_notes"]  # its first round was gathered ahead, as before


@dataclass
class SearchLast(MockActivities):
    """The report's search for ``last`` (a sub-question of the plan) answers only once the
    searches for every other first-wave sub-question have: the first rounds, and so the
    children, come in another order."""

    last: str = ""
    others: set[str] = field(default_factory=set)
    others_done: asyncio.Event = field(default_factory=asyncio.Event)

    async def answer_search(self, params: SearchInput) -> SearchOutput:
        if params.query == self.last:
            await self.others_done.wait()
        out = await super().answer_search(params)
        if params.query != self.last:
            self.others.add(params.query)
            if self.others >= set(self.plan[:3]) - {self.last}:
                self.others_done.set()
        return out


def pages_of(subquestion: str) -> list[str]:
    """The hashes of the pages the mocks find for ``subquestion``'s first round."""
    return [page_hash(f"https://example.org/{slug(subquestion)}/{k}") for k in (1, 2)]


async def test_each_notes_call_is_told_the_first_rounds_before_it_in_plan_order(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # A notes call works out which passages the calls before it in plan order were sent
    # from what they read: the same whichever sub-question's first round comes first.
    told: list[dict[str, list[tuple[str, list[str]]]]] = []
    for last in (PLAN[0], PLAN[2]):
        mocks = SearchLast(plan=[*PLAN, FOURTH], last=last)
        async with start_worker(mocks.activities()):
            handle = await start(client, task_queue)
            await handle.result()
        told.append({c.workflow_id.rsplit("/", 1)[-1]: [
            (e.subquestion, e.source_hashes) for e in c.arg.earlier]
            for c in mocks.calls if isinstance(c.arg, NotesInput)})
    first, second = told
    assert first == second
    assert first == {f"q{i + 1}": [(q, pages_of(q)) for q in [*PLAN, FOURTH][:i]]
                     for i in range(4)}


class Expensive(MockActivities):
    """Notes cost 500 tokens each."""

    async def answer_notes(self, params: NotesInput) -> LlmStored:
        out = await super().answer_notes(params)
        out.usage = usage(500)
        return out


async def test_budget_spent_during_research_makes_sections_quote_notes(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Expensive()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, budget=Budget(max_tokens=1000))
        result = await handle.result()
    sections = mocks.inputs("write_section", SectionInput)
    # 30 (plan) + 3 x 500 (notes) is over 1000: no more LLM calls. The sections quote
    # their notes, there is no summary and the check runs without its LLM judge.
    assert [s.role for s in sections] == ["extractive"] * 3
    (check,) = mocks.inputs("check_citations", CheckInput)
    assert not check.use_judge
    assert result.status == "completed"
    assert any(n.startswith("Budget reached before writing: these sections quote their "
                            "notes") for n in result.research_notes), result.research_notes


class QuotingSections(MockActivities):
    """The first section is the notes' quotes: said by the typed field (a new worker) or
    only by the summary's text (an older worker's result)."""

    def __init__(self, typed: bool) -> None:
        super().__init__()
        self.typed = typed

    async def answer_section(self, params: SectionInput) -> LlmStored:
        out = await super().answer_section(params)
        if params.key == "sections/01.md":
            out.quoted_notes = self.typed
            out.summary = ("section quoted from notes (the model's text cited nothing)"
                           if not self.typed else "the notes' quotes")
        return out


@pytest.mark.parametrize("typed", [True, False])
async def test_a_section_that_quotes_its_notes_is_noted(
    client: Client, task_queue: str, start_worker: WorkerFactory, typed: bool
) -> None:
    mocks = QuotingSections(typed)
    async with start_worker(mocks.activities()):
        result = await (await start(client, task_queue)).result()
    noted = [n for n in result.research_notes if n.startswith("Section ")]
    assert len(noted) == 1 and noted[0].startswith("Section 1: "), result.research_notes


class LastSectionFirst(MockActivities):
    """Every section quotes its notes, and the first is answered only after the last."""

    def __init__(self) -> None:
        super().__init__()
        self.last_written = asyncio.Event()

    async def answer_section(self, params: SectionInput) -> LlmStored:
        if params.key == "sections/01.md":
            await asyncio.wait_for(self.last_written.wait(), 30)
        out = await super().answer_section(params)
        out.quoted_notes = params.role == "section"
        if params.key == f"sections/0{len(PLAN)}.md":
            self.last_written.set()
        return out


async def test_the_sections_notes_are_in_section_order(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # The report's notes read "Section 3: ..., Section 1: ..., Section 2: ..." (the order
    # the writers finished in; found in a new user's trial with the offline model).
    mocks = LastSectionFirst()
    async with start_worker(mocks.activities()):
        result = await (await start(client, task_queue)).result()
    noted = [n.split(":")[0] for n in result.research_notes if n.startswith("Section ")]
    assert noted == [f"Section {i}" for i in range(1, len(PLAN) + 1)], result.research_notes


class UnaskedModel(MockActivities):
    """A worker whose model is not asked for the summary nor as judge (llm/capabilities):
    the activities say so and the report's notes repeat it once each."""

    async def answer_section(self, params: SectionInput) -> LlmStored:
        if params.role != "summary":
            return await super().answer_section(params)
        return LlmStored(key=params.key, model=MODEL,
                         summary=f"{SUMMARY_LEFT_OUT}the model is not asked to write")

    async def answer_check(self, params: CheckInput) -> CheckResult:
        out = await super().answer_check(params)
        out.remark = "Citations were checked by the rules alone: measured."
        return out


async def test_parts_the_model_is_not_asked_for_are_noted_once(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    async with start_worker(UnaskedModel().activities()):
        result = await (await start(client, task_queue)).result()
    notes = result.research_notes
    assert notes.count("The opening summary was left out (the model is not asked to "
                       "write).") == 1, notes
    assert notes.count("Citations were checked by the rules alone: measured.") == 1, notes


async def test_budget_spent_by_the_plan_starts_no_subquestion(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, budget=Budget(max_tokens=30))
        result = await handle.result()
    assert await children(handle) == []
    assert "search" not in mocks.names()
    assert result.note == ("The budget (cost $0.0010, 30 tokens of 30, 0 pages) was used up "
                           "before any source was read, so no answer was written: run the "
                           "report again with a larger budget.")
    assert any(n.startswith("Budget reached during research") for n in result.research_notes)


async def test_budget_spent_by_the_plan_asks_the_llm_no_more(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, budget=Budget(max_tokens=30))
        result = await handle.result()
    assert result.status == "completed"
    # The plan spent the whole cap of 30 tokens; every other LLM-backed step stops at
    # the cap (plan(), write(), check()), so the fallback should too.
    assert [c.name for c in mocks.calls].count("llm_call") == 1
    assert result.usage.total_tokens <= 30
    # The report says why it has no answer, and how to get one; the PDF is still made.
    assert "used up before any source was read" in result.note
    assert "larger budget" in result.note
    assert [c.name for c in mocks.calls].count("create_pdf") == 1
    assert BUDGET_FALLBACK_PATCH in await patches(handle)


async def test_a_report_within_budget_records_no_fallback_marker(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        await handle.result()
    assert BUDGET_FALLBACK_PATCH not in await patches(handle)


# ----- plan review --------------------------------------------------------------------------
async def review_plan(handle: WorkflowHandle[GenerateReportWorkflow, ReportResult],
                      params: PlanReviewInput) -> list[str]:
    """Send the ``review_plan`` Update."""
    return await handle.execute_update(GenerateReportWorkflow.review_plan, params)


async def test_plan_review_approve_with_domains(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True)
        await wait_for_step(handle, "waiting for plan review")
        status = await handle.query(GenerateReportWorkflow.status)
        assert status.research is not None and status.research.plan == PLAN
        assert mocks.names() == ["research_sources", "llm_call"]  # nothing researched yet
        answer = await review_plan(handle, PlanReviewInput(
            action="approve", allow_domains=["example.org"], reviewer="ann"))
        result = await handle.result()
    assert answer == PLAN and result.subquestions == PLAN
    assert all(s.allow_domains == ["example.org"] for s in mocks.inputs("search", SearchInput))


async def test_plan_review_edit_researches_the_edited_plan(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    edited = ["Which proteins protect them?", "How long can they stay dry?",
              "What kills them after all?"]
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True)
        await wait_for_step(handle, "waiting for plan review")
        answer = await review_plan(handle, PlanReviewInput(action="edit", subquestions=edited))
        result = await handle.result()
    assert answer == edited and result.subquestions == edited
    assert sorted(s.query for s in mocks.inputs("search", SearchInput)) == sorted(edited)
    assert sorted(s.heading for s in mocks.inputs("write_section", SectionInput)
                  if s.role == "section") == sorted(edited)


async def test_plan_review_reject_writes_nothing(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True)
        await wait_for_step(handle, "waiting for plan review")
        await review_plan(handle, PlanReviewInput(action="reject"))
        result = await handle.result()
    assert result.status == "rejected"
    assert result.note == "The research plan was rejected; no report was written."
    assert mocks.names() == ["research_sources", "llm_call"]
    assert await children(handle) == []


async def test_plan_review_refuses_bad_edits(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True)
        await wait_for_step(handle, "waiting for plan review")
        with pytest.raises(WorkflowUpdateFailedError) as short:
            await review_plan(handle, PlanReviewInput(action="edit", subquestions=["x"]))
        with pytest.raises(WorkflowUpdateFailedError) as domain:
            await review_plan(handle, PlanReviewInput(action="approve",
                                                      deny_domains=["not a domain"]))
        await review_plan(handle, PlanReviewInput(action="reject"))
        await handle.result()
    assert "Invalid sub-questions" in str(short.value.cause)
    assert "Not a domain name" in str(domain.value.cause)


@pytest.mark.parametrize(("action", "status"), [("approve", "completed"),
                                                ("reject", "rejected")])
async def test_plan_review_deadline_applies_the_default(
    client: Client, task_queue: str, start_worker: WorkerFactory, action: str, status: str
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True, review_timeout_s=3600,
                             review_timeout_action=action)
        result = await handle.result()
        lines = (await handle.query(GenerateReportWorkflow.status)).history
    assert result.status == status
    said = f"plan review deadline passed: auto-{past_tense(action)}"
    assert any(said in line for line in lines), lines
    assert ("search" in mocks.names()) is (action == "approve")


# ----- the draft grows --------------------------------------------------------------------
@dataclass
class LastNotesWait(MockActivities):
    """The last sub-question's notes wait until the test lets them go."""

    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def answer_notes(self, params: NotesInput) -> LlmStored:
        if params.subquestion == PLAN[-1]:
            await self.go.wait()
        return await super().answer_notes(params)


async def test_a_section_is_shown_while_a_later_subquestion_still_runs(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = LastNotesWait()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        # Polls the status query (what `research status`, the web page and MCP show)
        # until the first two sections are listed.
        async with asyncio.timeout(60):
            while True:
                research = (await handle.query(GenerateReportWorkflow.status)).research
                if research is not None and len(research.sections) == 2:
                    break
                await asyncio.sleep(0.05)
        # Keys, not texts: the client reads them from the store.
        assert research.sections == ["sections/01.md", "sections/02.md"]
        assert research.subs[2].state == SubState.NOTING
        assert sorted(s.heading for s in mocks.inputs("write_section", SectionInput)) == \
            sorted(PLAN[:2])
        mocks.go.set()
        result = await handle.result()
        final = (await handle.query(GenerateReportWorkflow.status)).research
    assert result.status == "completed"
    assert final is not None and final.sections == [f"sections/0{n}.md" for n in (1, 2, 3)]


# ----- compare_notes ---------------------------------------------------------------------
class Disagreeing(MockActivities):
    """The first two sub-questions' sources contradict each other."""

    async def answer_compare(self, params: CompareNotesInput) -> NotesConflicts:
        pair = [first_page(PLAN[0]), first_page(PLAN[1])]
        return NotesConflicts(key=params.key, count=1, hashes=pair, pairs=[pair])


async def test_disputes_found_by_compare_notes_reach_the_writers(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Disagreeing()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        await handle.result()
        lines = (await handle.query(GenerateReportWorkflow.status)).history
    by_heading = {s.heading: s for s in mocks.inputs("write_section", SectionInput)
                  if s.role == "section"}
    both = {first_page(PLAN[0]), first_page(PLAN[1])}
    # Section 1 is written before the second sub-question's sources are numbered; section
    # 2, written after both, may cite each side of the dispute.
    assert {r.content_hash for r in by_heading[PLAN[0]].references} == {first_page(PLAN[0])}
    assert {r.content_hash for r in by_heading[PLAN[1]].references} == both
    assert first_page(PLAN[2]) in {r.content_hash for r in by_heading[PLAN[2]].references}
    assert [by_heading[q].conflicts_key for q in PLAN] == [
        f"conflicts/0{n}.json" for n in (1, 2, 3)]
    assert any("sources disagree on 1 point (section 2): the writers are told" in line
               for line in lines)
    # The check sees the full, numbered list.
    (check,) = mocks.inputs("check_citations", CheckInput)
    assert [r.n for r in check.references] == [1, 2, 3]


async def test_a_section_citing_neither_side_gets_no_disputed_source(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Disagreeing()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        await handle.result()
    (third,) = [s for s in mocks.inputs("write_section", SectionInput)
                if s.heading == PLAN[2]]
    assert [r.content_hash for r in third.references] == [first_page(PLAN[2])]


# ----- degraded research ------------------------------------------------------------------
class SearchDown(MockActivities):
    """The second sub-question's search fails for good."""

    async def answer_search(self, params: SearchInput) -> SearchOutput:
        if params.query == PLAN[1]:
            raise ApplicationError("provider down", type="SearchFailed", non_retryable=True)
        return await super().answer_search(params)


async def test_a_failed_subquestion_is_noted_and_the_rest_written(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = SearchDown()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    assert result.status == "completed" and len(result.references) == 2
    assert any(n.startswith("Sub-question 2: search failed:") for n in result.research_notes)
    headings = {s.heading for s in mocks.inputs("write_section", SectionInput)
                if s.role == "section"}
    assert headings == {PLAN[0], PLAN[2]}


class BadPlans(MockActivities):
    """The LLM never gives a valid plan."""

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        if params.answer_schema == AnswerSchema.PLAN:
            return LlmCallOutput(text="no JSON here", model="m", usage=usage())
        return await super().answer_llm(params)


async def test_invalid_plans_are_asked_again_then_the_question_is_researched(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = BadPlans()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    # One source, said so ("1 sources kept for citing" was the log's line).
    assert [r.n for r in result.references] == [1]
    assert any(line.endswith("1 source kept for citing") for line in status.history)
    plans = mocks.inputs("llm_call", LlmCallInput)
    assert len(plans) == 3  # PLAN_ATTEMPTS, each told the last error
    assert "no JSON object" in plans[1].prompt and "no JSON object" in plans[2].prompt
    assert result.subquestions == [QUESTION]
    assert [s.query for s in mocks.inputs("search", SearchInput)] == [QUESTION]
    assert any(n.startswith("No valid research plan was produced") for n in
               result.research_notes)


class DebrisPlan(MockActivities):
    """The first plan is JSON debris (the embedded model's, in a real report), the next good."""

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        plans = [p for p in self.inputs("llm_call", LlmCallInput)
                 if p.answer_schema == AnswerSchema.PLAN]
        if params.answer_schema == AnswerSchema.PLAN and len(plans) == 1:
            debris = ["... (1)", "2(3) (5), 6, 7", "8], 9, 10]} {[{"]
            return LlmCallOutput(text=json.dumps({"subquestions": debris}), model="m",
                                 usage=usage())
        return await super().answer_llm(params)


async def test_a_plan_of_debris_is_asked_again_and_the_next_is_researched(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = DebrisPlan()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    plans = [p for p in mocks.inputs("llm_call", LlmCallInput)
             if p.answer_schema == AnswerSchema.PLAN]
    assert len(plans) == 2 and "has no words" in plans[1].prompt
    assert result.subquestions == PLAN


class NoSources(MockActivities):
    """The worker has neither a web provider nor local documents."""

    async def answer_sources(self, params: SourcesInput) -> SourcesAvailable:
        return SourcesAvailable(note="No web search is configured.")


async def test_no_sources_falls_back_to_a_single_answer(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = NoSources()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    assert mocks.names() == ["research_sources", "llm_call", "create_pdf", "send_email"]
    assert result.status == "completed" and result.note == "No web search is configured."
    assert result.references == [] and result.verification is None


class WebAndDocuments(MockActivities):
    """The worker has a web provider, and the report has local documents."""

    async def answer_sources(self, params: SourcesInput) -> SourcesAvailable:
        return SourcesAvailable(web_provider="mock-web", local_documents=7)


async def test_a_report_without_the_web_does_not_name_the_web_provider_as_a_source(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # `--sources DIR --no-web` printed "sources: searxng + 7 local documents": the
    # worker's provider, which the report never searched.
    from durable_research.contract.keys import collection_key

    mocks = WebAndDocuments()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, web=False,
                             collection=collection_key("0" * 64))
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert result.sources_used == "7 local documents"
    assert any(line.endswith("sources: 7 local documents") for line in status.history)


async def test_a_subquestion_workflow_alone_is_refused(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await client.start_workflow(
            ResearchQuestionWorkflow.run, SubResearchInput(subquestion="alone?"),
            id=f"sub-{uuid.uuid4().hex[:8]}", task_queue=task_queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ForeignRun"
    assert mocks.calls == []


async def test_raise_budget_only_raises(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, review_plan=True,
                             budget=Budget(max_tokens=1000))
        await wait_for_step(handle, "waiting for plan review")
        with pytest.raises(WorkflowUpdateFailedError) as lowered:
            await handle.execute_update(UPDATE_RAISE_BUDGET, RaiseBudgetInput(max_tokens=500),
                                        result_type=BudgetOutcome)
        raised: BudgetOutcome = await handle.execute_update(
            UPDATE_RAISE_BUDGET, RaiseBudgetInput(max_tokens=5000), result_type=BudgetOutcome)
        await review_plan(handle, PlanReviewInput(action="approve"))
        result = await handle.result()
    assert "max_tokens can only be raised (now 1000, asked 500)" in str(lowered.value.cause)
    assert raised.budget.max_tokens == 5000 and raised.spent_tokens == 30  # the plan's
    # Under the raised cap, the sections were written by the LLM (not quoted).
    assert result.status == "completed" and result.usage.total_tokens == 9 * 30
    assert [s.role for s in mocks.inputs("write_section", SectionInput)] == [
        "section"] * 3 + ["summary"]


class PrepareFails(MockActivities):
    """Preparing the citation check fails for good (the check does its work itself)."""

    async def answer_prepare(self, params: CheckInput) -> int:
        raise ApplicationError("out of memory", type="PrepareFailed", non_retryable=True)


async def test_a_failed_check_preparation_only_costs_its_time(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = PrepareFails()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        lines = (await handle.query(GenerateReportWorkflow.status)).history
    assert result.status == "completed" and result.pdf_path
    assert mocks.names().count("prepare_check") == 1
    (check,) = mocks.inputs("check_citations", CheckInput)
    assert len(check.section_keys) == 4  # the summary and the three sections
    assert any("preparing the citation check failed" in line for line in lines), lines


# ----- the work off the chain: one comparison at a time, the check prepared early ---------
def in_flight(events: list[Any], name: str) -> list[int]:
    """How many activities ``name`` were scheduled and not yet closed, after each of their
    events (from the history: the workflow's commands, not the worker's timing)."""
    mine: set[int] = set()
    open_, out = 0, []
    for e in events:
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            if e.activity_task_scheduled_event_attributes.activity_type.name == name:
                mine.add(e.event_id)
                open_ += 1
                out.append(open_)
        elif e.event_type in (EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
                              EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED):
            attrs = (e.activity_task_completed_event_attributes
                     if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                     else e.activity_task_failed_event_attributes)
            if attrs.scheduled_event_id in mine:
                open_ -= 1
                out.append(open_)
    return out


@dataclass
class FirstEndsLast(MockActivities):
    """The first sub-question's notes wait for ``go``: the test lets it end after the others,
    so every section's comparison may start at once."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    others: asyncio.Event = field(default_factory=asyncio.Event)
    noting: set[str] = field(default_factory=set)

    async def answer_notes(self, params: NotesInput) -> LlmStored:
        if params.subquestion == PLAN[0]:
            await self.go.wait()
        else:
            self.noting.add(params.subquestion)
            if len(self.noting) == len(PLAN) - 1:
                self.others.set()
        return await super().answer_notes(params)


async def test_the_sections_notes_are_compared_one_at_a_time(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # A comparison is CPU work in the worker (its GIL): several at once starved the
    # sub-questions still running, whose steps are the report's critical path (bench goal 3:
    # 4 comparisons at once took 0.7-1.4 s each and held the next wave's notes up by 1.8 s).
    # Written one after another, the first section starts sooner and the last no later.
    mocks = FirstEndsLast()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        async with asyncio.timeout(60):
            await mocks.others.wait()
            for n in range(2, len(PLAN) + 1):  # q2 and q3 have ended before q1
                await client.get_workflow_handle(f"{handle.id}/q{n}").result()
        mocks.go.set()
        result = await handle.result()
    assert result.status == "completed"
    counts = in_flight(await history(handle), "compare_notes")
    assert len(counts) == 2 * len(PLAN) and max(counts) == 1, counts
    assert "compare-notes-one-at-a-time" in await patches(handle)


async def test_the_check_is_prepared_once_research_ends_and_again_beside_the_summary(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # The check's sources are indexed and the sections written so far assessed while the
    # last sections are written (bench goal 3: prepared beside the summary alone, it
    # outlasted the summary's 1 s call by 0.9-1.7 s on a deep report); beside the summary
    # only the rest is assessed (the worker keeps what the first one did).
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    assert result.status == "completed"
    first, second = mocks.inputs("prepare_check", CheckInput)
    (check,) = mocks.inputs("check_citations", CheckInput)
    sections = check.section_keys[1:]
    assert second == replace(check, section_keys=sections)
    assert first == replace(check, section_keys=first.section_keys)
    assert set(first.section_keys) <= set(sections)
    scheduled = await scheduled_activities(handle)
    writes = [k for k, name in enumerate(scheduled) if name == "write_section"]
    prepares = [k for k, name in enumerate(scheduled) if name == "prepare_check"]
    # The first before the summary (the last write), the second beside it.
    assert prepares[0] < writes[-1] < prepares[1]
    # The second starts once the first has ended (it takes over the first one's work).
    assert max(in_flight(await history(handle), "prepare_check")) == 1
    assert "check-after-research" in await patches(handle)
