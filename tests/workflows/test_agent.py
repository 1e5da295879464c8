"""The research agent (``ResearchAgentWorkflow``) with mocked turns and tools: chosen when
the model calls tools, each turn and call one activity, its notes written and cited, and
its bounds: the turn bound, repeats, unknown tools, the budget."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from durable_research.contract.keys import collection_key
from durable_research.contract.report import ReportStatus
from durable_research.contract.research import Budget, SubState
from durable_research.research.agent.registry import ToolName
from durable_research.research.agent.types import (
    AgentTurnInput,
    ToolCallInput,
    ToolCallOutput,
    changes_table,
    next_table,
)
from durable_research.research.types import SectionInput, Source, SourcesAvailable, SourcesInput
from durable_research.workflows.report import GenerateReportWorkflow

from .conftest import WorkerFactory
from .mocks import PLAN, MockActivities, page_hash, scheduled_activities, slug
from .test_research import start

Turn = list[tuple[str, dict[str, Any]]]


async def test_the_agent_researches_each_subquestion_with_tools(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities(tool_calling=True)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        status: ReportStatus = await handle.query(GenerateReportWorkflow.status)
    wid = handle.id
    for i, sub in enumerate(PLAN, 1):
        child = client.get_workflow_handle(f"{wid}/q{i}")
        # Each model turn and each tool call is its own activity; done needs none.
        assert await scheduled_activities(child) == [
            "agent_turn", "agent_tool", "agent_turn", "agent_tool", "agent_turn",
            "agent_tool", "agent_turn"], sub
    turns = mocks.inputs("agent_turn", AgentTurnInput)
    assert {t.steps_left + t.turn for t in turns} == {12}  # standard depth's bound
    assert all(t.tools == ["search_web", "read", "follow", "note", "done"] for t in turns)
    # The transcript's texts are in the store: the inputs carry keys and the source table.
    reads = [c for c in mocks.inputs("agent_tool", ToolCallInput) if c.call.name == "read"]
    assert all(len(r.sources) == 2 and r.pages_left == -1 for r in reads)
    # The notes are written and cited as the fixed pipeline's are.
    sections = [s for s in mocks.inputs("write_section", SectionInput) if s.role == "section"]
    for s in sections:
        assert len(s.notes_keys) == 1 and s.notes_keys[0].endswith(".note.json")
        assert [r.content_hash for r in s.references] == [
            page_hash(f"https://example.org/{slug(s.subquestion)}/1")]
    assert len(result.references) == 3 and result.research_notes == []
    # One line says why the agent was chosen; each step has a line in the log.
    log = [line.partition(" ")[2] for line in status.history]
    assert any(line.startswith("research: the agent") for line in log), log
    assert f"q1: search {PLAN[0]!r} -> 2 results" in log
    assert {"q1: read [1] part 1", "q2: note [1]"} <= set(log)


class StoringTables(MockActivities):
    """Tool calls that keep the source table after them by key, as the real activity
    stores it (here in a dict)."""

    def __init__(self) -> None:
        super().__init__(tool_calling=True)
        self.tables: dict[str, list[Source]] = {}

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        table = self.tables[params.sources_key] if params.sources_key else params.sources
        out = super().answer_tool(replace(params, sources=table))
        out.table_key = f"tables/{params.key}"
        self.tables[out.table_key] = next_table(table, out)
        return out


async def test_after_the_first_call_the_source_table_goes_by_key(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = StoringTables()
    async with start_worker(mocks.activities()):
        result = await (await start(client, task_queue)).result()
    assert result.status == "completed" and len(result.references) == 3
    calls = mocks.inputs("agent_tool", ToolCallInput)
    by_subquestion: dict[str, list[ToolCallInput]] = {}
    for c in calls:
        by_subquestion.setdefault(c.context.subquestion, []).append(c)
    assert set(by_subquestion) == set(PLAN)
    for sub_calls in by_subquestion.values():
        # No records in any input: the first call starts from an empty table, each later
        # one from the table the call before it stored.
        assert all(c.sources == [] for c in sub_calls)
        assert [c.sources_key for c in sub_calls] == [
            "", *(f"tables/{c.key}" for c in sub_calls[:-1])]


async def test_a_model_without_tool_calling_gets_the_fixed_pipeline(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert "agent_turn" not in mocks.names() and "take_notes" in mocks.names()
    log = [line.partition(" ")[2] for line in status.history]
    assert "research: the fixed pipeline (the mock model calls no tools)" in log


async def test_no_agent_is_the_fixed_pipeline_without_a_word(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities(tool_calling=True)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, agent="off")
        await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert "agent_turn" not in mocks.names()
    assert not any("research: the" in line for line in status.history)


class DocumentsOnly(MockActivities):
    """A worker without web search (offline, no provider) researching local documents."""

    def __init__(self) -> None:
        super().__init__(tool_calling=True)

    async def answer_sources(self, params: SourcesInput) -> SourcesAvailable:
        return SourcesAvailable(local_documents=3, tool_calling=True)

    def answer_turn(self, params: AgentTurnInput) -> list[tuple[str, dict[str, Any]]]:
        if params.turn == 0:
            return [(ToolName.SEARCH_DOCUMENTS, {"query": params.subquestion})]
        return super().answer_turn(params)

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        if params.call.name == ToolName.SEARCH_DOCUMENTS:  # answered as the web's search
            return super().answer_tool(replace(params, call=replace(
                params.call, name=ToolName.SEARCH_WEB)))
        return super().answer_tool(params)


async def test_a_worker_without_web_search_is_not_offered_search_web(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    # The model was offered search_web, called it, and read "this worker has no web
    # search" (a wasted turn, and a line of the report's progress for each sub-question).
    mocks = DocumentsOnly()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, collection=collection_key("0" * 64))
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    turns = mocks.inputs("agent_turn", AgentTurnInput)
    assert turns and all(t.tools == ["search_documents", "read", "follow", "note", "done"]
                         for t in turns)
    assert not any(c.context.web for c in mocks.inputs("agent_tool", ToolCallInput))
    # What the report says of its sources stays true: the documents, no web provider.
    assert result.sources_used == "3 local documents"
    assert any(line.endswith("sources: 3 local documents") for line in status.history)


class Scripted(MockActivities):
    """Every turn of every sub-question is ``turn(n)``; one sub-question unless ``plan``
    (a plan of one is refused, and the question is researched as the only one)."""

    def __init__(self, turn: Any, plan: list[str] | None = None) -> None:
        super().__init__(tool_calling=True, plan=plan or PLAN[:1])
        self.turn = turn

    def answer_turn(self, params: AgentTurnInput) -> Turn:
        return list(self.turn(params.turn))


async def test_a_model_that_never_calls_done_stops_at_the_turn_bound(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Scripted(lambda n: [(ToolName.SEARCH_WEB, {"query": f"query {n}"})])
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, max_steps=4)
        result = await handle.result()
    assert mocks.names().count("agent_turn") == 4
    assert mocks.names().count("agent_tool") == 4
    assert ("Sub-question 1: the research agent stopped: it reached its bound of 4 model "
            "turns.") in result.research_notes


async def test_repeating_the_same_query_is_refused_then_stopped(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Scripted(lambda n: [(ToolName.SEARCH_WEB, {"query": " Same  QUERY" if n else
                                                       "same query"})])
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    calls = mocks.inputs("agent_tool", ToolCallInput)
    # The first runs, the repeat is refused (the model is told), the second repeat stops.
    assert [bool(c.refuse) for c in calls] == [False, True, True]
    assert mocks.names().count("agent_turn") == 3
    assert ("Sub-question 1: the research agent stopped: it repeated calls without "
            "progress.") in result.research_notes


async def test_an_unknown_tool_is_refused_and_recorded(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    def turn(n: int) -> Turn:
        return [("rm_rf", {"path": "/"})] if n == 0 else [(ToolName.DONE, {"summary": ""})]

    mocks = Scripted(turn)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    (refused,) = mocks.inputs("agent_tool", ToolCallInput)
    assert refused.call.name == "rm_rf" and "there is no tool 'rm_rf'" in refused.refuse
    assert json.loads(refused.call.arguments) == {"path": "/"}
    assert "Not used: the agent asked for an unknown tool 'rm_rf'" in result.research_notes


async def test_the_budget_is_checked_before_every_turn_and_call(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = Scripted(lambda n: [(ToolName.SEARCH_WEB, {"query": f"q{n}"})], plan=PLAN)
    async with start_worker(mocks.activities()):
        # Research may spend 400 x 0.7 - 30 (the plan) = 250 tokens: 83 per sub-question,
        # so three turns of 30 each, and the third turn's call is not run.
        handle = await start(client, task_queue, budget=Budget(max_tokens=400))
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert mocks.names().count("agent_turn") == 3 * 3
    assert mocks.names().count("agent_tool") == 3 * 2
    assert status.research is not None
    assert [s.state for s in status.research.subs] == [SubState.BUDGET] * 3
    assert ("Sub-question 1: the research agent stopped: the budget was reached."
            in result.research_notes)


class WithMcp(Scripted):
    """A worker whose MCP server ``t`` allows ``lookup`` (and not ``wipe``)."""

    def offered_mcp(self) -> list[str]:
        return ["mcp_t_lookup"]

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        if params.call.name != "mcp_t_lookup" or params.refuse:
            return super().answer_tool(params)
        return ToolCallOutput(key=params.key, line="t.lookup -> [1] 120 characters", added=[
            Source(url="mcp://t/lookup?topic=tardigrades", title="t.lookup", content_hash="h")])


async def test_the_workers_mcp_tools_may_be_called_and_others_are_refused(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    script: list[Turn] = [
        [("mcp_t_lookup", {"topic": "tardigrades"}), ("mcp_t_wipe", {})],
        [("mcp_t_lookup", {"topic": "tardigrades"})],  # the same call again
        [(ToolName.DONE, {"summary": ""})]]
    mocks = WithMcp(lambda n: script[n])
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        status: ReportStatus = await handle.query(GenerateReportWorkflow.status)
    calls = mocks.inputs("agent_tool", ToolCallInput)
    assert [(c.call.name, bool(c.refuse)) for c in calls] == [
        ("mcp_t_lookup", False), ("mcp_t_wipe", True), ("mcp_t_lookup", True)]
    # Not offered (not on the allow-list): refused and recorded like any unknown tool.
    assert "there is no tool 'mcp_t_wipe'" in calls[1].refuse
    assert "mcp_t_lookup" in calls[1].refuse  # the model is told what it may call
    assert "made this call before" in calls[2].refuse
    assert "Not used: the agent asked for an unknown tool 'mcp_t_wipe'" in result.research_notes
    log = [line.partition(" ")[2] for line in status.history]
    assert {"q1: t.lookup -> [1] 120 characters", "q1: mcp_t_wipe refused"} <= set(log)
    # The answer is a source of the sub-question like a page read.
    assert [src.url for src in calls[1].sources] == ["mcp://t/lookup?topic=tardigrades"]


NOTES = 3
NOTING: list[Turn] = [
    [(ToolName.SEARCH_WEB, {"query": "tardigrades"})],
    [(ToolName.READ, {"source": 1, "part": 1}), (ToolName.READ, {"source": 2, "part": 1})],
    [(ToolName.NOTE, {"source": k % 2 + 1, "quote": f"quote number {k}", "claim": f"fact {k}"})
     for k in range(NOTES)],
    [(ToolName.DONE, {"summary": "noted"})]]


class CallsAtOnce(Scripted):
    """Scripted turns whose calls of ``tool`` each wait until ``count`` of them are in
    flight, or until a bound when they come one at a time (the wait is on the calls, not
    on time); source tables stored by key as the real activity does (the same key when a
    call changed nothing)."""

    def __init__(self, tool: str = ToolName.NOTE, count: int = NOTES,
                 script: list[Turn] = NOTING) -> None:
        super().__init__(lambda n: script[n])
        self.tool, self.count = tool, count
        self.in_flight = 0
        self.most_in_flight = 0
        self.all_in = asyncio.Event()
        self.tables: dict[str, list[Source]] = {}

    def table(self, params: ToolCallInput) -> list[Source]:
        """The table a call started from."""
        return self.tables[params.sources_key] if params.sources_key else params.sources

    @activity.defn(name="agent_tool")
    async def agent_tool(self, params: ToolCallInput) -> ToolCallOutput:
        """Mock of ``agent_tool`` that counts the calls of ``tool`` running at once."""
        if params.call.name != self.tool:
            return await super().agent_tool(params)
        self._record("agent_tool", params)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight == self.count:
            self.all_in.set()
        try:  # bounded under the tool step's 10 s heartbeat timeout
            await asyncio.wait_for(self.all_in.wait(), 5)
        except TimeoutError:
            self.all_in.set()  # one at a time: the later calls need not wait too
        finally:
            self.in_flight -= 1
        return self.answer_tool(params)

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        table = self.table(params)
        out = super().answer_tool(replace(params, sources=table))
        out.table_key = f"tables/{params.key}" if changes_table(out) or not params.sources_key \
            else params.sources_key
        self.tables.setdefault(out.table_key, next_table(table, out))
        return out


def by_call(mocks: MockActivities, tool: str) -> list[ToolCallInput]:
    """The inputs of the calls of ``tool``, in the model's order (the calls' keys)."""
    return sorted((c for c in mocks.inputs("agent_tool", ToolCallInput) if c.call.name == tool),
                  key=lambda c: c.key)


async def test_the_notes_of_one_turn_are_taken_at_once_in_the_models_order(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """A turn's note calls change no source table, so they run at once (one workflow
    task and one wait instead of three, on the sub-question's chain); the report's notes
    and log keep the model's order."""
    mocks = CallsAtOnce()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        status: ReportStatus = await handle.query(GenerateReportWorkflow.status)
    assert result.status == "completed"
    assert mocks.most_in_flight == NOTES
    notes = by_call(mocks, ToolName.NOTE)
    # Each from the table after both reads, as one after another they were.
    assert all([s.content_hash for s in mocks.table(c)] == [
        page_hash(s.url) for s in mocks.table(c)] for c in notes)
    (section,) = [s for s in mocks.inputs("write_section", SectionInput) if s.role == "section"]
    quote = {f"{c.key}.note.json": json.loads(c.call.arguments)["quote"] for c in notes}
    assert [quote[k] for k in section.notes_keys] == [f"quote number {k}" for k in range(NOTES)]
    # Each call's line, in the model's order (sent at once, signals may arrive in any order).
    log = [line.partition(" ")[2] for line in status.history]
    assert [line for line in log if line.startswith("q1: note")] == [
        "q1: note [1]", "q1: note [2]", "q1: note [1]"]


async def test_the_reads_of_one_turn_run_at_once_and_the_next_call_sees_both(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """Reads of different sources each change only their own row: they run at once, and
    the call after them starts from the table with both pages read (each read stored the
    table with its own page only: the next call takes the workflow's table inline)."""
    mocks = CallsAtOnce(ToolName.READ, 2)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
        status: ReportStatus = await handle.query(GenerateReportWorkflow.status)
    assert result.status == "completed"
    assert mocks.most_in_flight == 2
    reads, notes = by_call(mocks, ToolName.READ), by_call(mocks, ToolName.NOTE)
    assert [c.sources_key for c in reads] == [reads[0].sources_key] * 2
    assert [s.content_hash for s in mocks.table(notes[0])] == [
        page_hash(f"https://example.org/tardigrades/{k}") for k in (1, 2)]
    assert result.references and {r.content_hash for r in result.references} == {
        page_hash(f"https://example.org/tardigrades/{k}") for k in (1, 2)}
    log = [line.partition(" ")[2] for line in status.history]
    assert [line for line in log if line.startswith("q1: read")] == [
        "q1: read [1] part 1", "q1: read [2] part 1"]


class SecondNoteFails(CallsAtOnce):
    """The turn's second note call fails for good."""

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        if "quote number 1" in params.call.arguments:
            raise ApplicationError("the store is gone", non_retryable=True)
        return super().answer_tool(params)


async def test_a_failed_note_ends_the_turn_with_the_notes_before_it(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """As one after another: the notes after the failed call are not taken (run at once,
    their results are left out), and the sub-question stops with the note before it."""
    mocks = SecondNoteFails()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    (section,) = [s for s in mocks.inputs("write_section", SectionInput) if s.role == "section"]
    first = next(c for c in mocks.inputs("agent_tool", ToolCallInput)
                 if c.call.name == "note" and "quote number 0" in c.call.arguments)
    assert section.notes_keys == [f"{first.key}.note.json"]
    assert "Sub-question 1: the research agent stopped: its note call failed." \
        in result.research_notes
    assert mocks.names().count("agent_turn") == 3  # no turn after the failed one


async def test_a_note_repeated_within_a_turn_is_refused_as_before(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    same: tuple[str, dict[str, Any]] = (ToolName.NOTE, {"source": 1, "quote": "quote number 0",
                                                        "claim": "fact"})
    script: list[Turn] = [*NOTING[:2], [same, same, same], NOTING[3]]
    mocks = CallsAtOnce(script=script)
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        result = await handle.result()
    notes = [c for c in mocks.inputs("agent_tool", ToolCallInput) if c.call.name == "note"]
    # The first runs, the second is refused, the third is refused and stops the agent.
    assert sorted(bool(c.refuse) for c in notes) == [False, True, True]
    (section,) = [s for s in mocks.inputs("write_section", SectionInput) if s.role == "section"]
    assert len(section.notes_keys) == 1
    assert ("Sub-question 1: the research agent stopped: it repeated calls without "
            "progress.") in result.research_notes


class FirstReadFails(CallsAtOnce):
    """The turn's read of source 1 fails for good; the read of source 2 beside it fetches
    its page."""

    def __init__(self) -> None:
        super().__init__(ToolName.READ, 2)

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        if json.loads(params.call.arguments).get("source") == 1:
            raise ApplicationError("the site is gone", non_retryable=True)
        return super().answer_tool(params)


async def test_a_page_read_beside_a_failed_read_still_counts_against_the_budget(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    """As one after another, the read after the failed one is not taken; but run at once it
    did fetch its page, which the page budget must count (it was left out: a turn's pages
    could go past --max-pages unseen)."""
    mocks = FirstReadFails()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue)
        await handle.result()
        status: ReportStatus = await handle.query(GenerateReportWorkflow.status)
    assert mocks.most_in_flight == 2
    assert status.research is not None
    first = status.research.subs[0]
    assert first.fetched == 1
