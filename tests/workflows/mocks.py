"""Mock activities under the real names and types, and history helpers.

Each mock records its input (with the attempt and workflow id) and answers with a canned
result; a test changes an answer by overriding the ``answer_*`` method of a subclass
(the ``@activity.defn`` methods stay registered under the real activity names).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle

from durable_research.contract.citations import UnsupportedCitation
from durable_research.contract.llm import AnswerSchema, LlmCallInput, LlmCallOutput, Usage
from durable_research.contract.report import (
    ChangesInput,
    ChangesOutput,
    CreatePdfInput,
    CreatePdfOutput,
    SendEmailInput,
    SendEmailOutput,
)
from durable_research.research.agent.registry import ToolName
from durable_research.research.agent.types import (
    AgentTurnInput,
    AgentTurnOutput,
    ToolCall,
    ToolCallInput,
    ToolCallOutput,
)
from durable_research.research.types import (
    CheckInput,
    CheckResult,
    CompareNotesInput,
    FetchInput,
    FetchPagesInput,
    FetchPagesOutput,
    LlmStored,
    NotesConflicts,
    NotesInput,
    SearchHit,
    SearchInput,
    SearchOutput,
    SectionInput,
    Source,
    SourcesAvailable,
    SourcesInput,
)

T = TypeVar("T")

MODEL = "mock/model-1"
PLAN = ["What is the first aspect?", "What is the second aspect?", "What is the third aspect?"]


def usage(tokens: int = 30, cost: float | None = 0.001) -> Usage:
    """A usage of ``tokens`` (a third prompt, the rest completion)."""
    return Usage(prompt_tokens=tokens // 3, completion_tokens=tokens - tokens // 3,
                 total_tokens=tokens, cost_usd=cost)


def page_hash(url: str) -> str:
    """The content hash the mock fetch gives the page at ``url``."""
    return hashlib.sha256(url.encode()).hexdigest()


def slug(text: str) -> str:
    """A URL-safe short form of ``text``."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:40]


@dataclass
class Call:
    """One activity attempt as a mock saw it."""

    name: str
    arg: object
    attempt: int
    workflow_id: str


@dataclass
class MockActivities:
    """Every activity of the app's worker (``worker.default_activities``), mocked."""

    plan: list[str] = field(default_factory=lambda: list(PLAN))
    # The worker's model calls tools: the research agent is chosen.
    tool_calling: bool = False
    calls: list[Call] = field(default_factory=list)
    # Set when a mock is called (by activity name): tests wait on these, not on time.
    called: dict[str, asyncio.Event] = field(default_factory=dict)

    # ----- recording ------------------------------------------------------------
    def _record(self, name: str, arg: object) -> None:
        info = activity.info()
        self.calls.append(Call(name, arg, info.attempt, info.workflow_id or ""))
        self.event(name).set()

    def event(self, name: str) -> asyncio.Event:
        """The event set when activity ``name`` is (next) called."""
        return self.called.setdefault(name, asyncio.Event())

    def names(self) -> list[str]:
        """Activity names in call order (every attempt)."""
        return [c.name for c in self.calls]

    def inputs(self, name: str, kind: type[T]) -> list[T]:
        """The inputs of activity ``name``, in call order."""
        found = [c.arg for c in self.calls if c.name == name]
        assert all(isinstance(a, kind) for a in found), found
        return [a for a in found if isinstance(a, kind)]

    def attempts(self, name: str) -> list[int]:
        """The attempt numbers activity ``name`` was called with."""
        return [c.attempt for c in self.calls if c.name == name]

    def activities(self) -> list[Callable[..., Any]]:
        """The mocks to register, one per real activity name."""
        return [self.llm_call, self.create_pdf, self.send_email, self.research_sources,
                self.search, self.fetch_page, self.fetch_pages, self.take_notes,
                self.write_section, self.read_text, self.compare_notes, self.check_citations,
                self.prepare_check, self.agent_turn, self.agent_tool, self.report_changes]

    # ----- the activities (real names and types) --------------------------------------
    @activity.defn(name="llm_call")
    async def llm_call(self, params: LlmCallInput) -> LlmCallOutput:
        """Mock of ``llm_call``."""
        self._record("llm_call", params)
        return await self.answer_llm(params)

    @activity.defn(name="create_pdf")
    async def create_pdf(self, params: CreatePdfInput) -> CreatePdfOutput:
        """Mock of ``create_pdf``."""
        self._record("create_pdf", params)
        return await self.answer_pdf(params)

    @activity.defn(name="send_email")
    async def send_email(self, params: SendEmailInput) -> SendEmailOutput:
        """Mock of ``send_email``."""
        self._record("send_email", params)
        return await self.answer_email(params)

    @activity.defn(name="research_sources")
    async def research_sources(self, params: SourcesInput) -> SourcesAvailable:
        """Mock of ``research_sources``."""
        self._record("research_sources", params)
        return await self.answer_sources(params)

    @activity.defn(name="search")
    async def search(self, params: SearchInput) -> SearchOutput:
        """Mock of ``search``."""
        self._record("search", params)
        return await self.answer_search(params)

    @activity.defn(name="fetch_page")
    async def fetch_page(self, params: FetchInput) -> Source:
        """Mock of ``fetch_page`` (only workflows from before ``fetch_pages`` use it)."""
        self._record("fetch_page", params)
        return self.fetched(params)

    @activity.defn(name="fetch_pages")
    async def fetch_pages(self, params: FetchPagesInput) -> FetchPagesOutput:
        """Mock of ``fetch_pages``."""
        self._record("fetch_pages", params)
        return FetchPagesOutput(sources=[self.fetched(p) for p in params.pages])

    @activity.defn(name="take_notes")
    async def take_notes(self, params: NotesInput) -> LlmStored:
        """Mock of ``take_notes``."""
        self._record("take_notes", params)
        return await self.answer_notes(params)

    @activity.defn(name="write_section")
    async def write_section(self, params: SectionInput) -> LlmStored:
        """Mock of ``write_section``."""
        self._record("write_section", params)
        return await self.answer_section(params)

    @activity.defn(name="read_text")
    async def read_text(self, key: str) -> str:
        """Mock of ``read_text``."""
        self._record("read_text", key)
        return f"text of {key}"

    @activity.defn(name="compare_notes")
    async def compare_notes(self, params: CompareNotesInput) -> NotesConflicts:
        """Mock of ``compare_notes``."""
        self._record("compare_notes", params)
        return await self.answer_compare(params)

    @activity.defn(name="check_citations")
    async def check_citations(self, params: CheckInput) -> CheckResult:
        """Mock of ``check_citations``."""
        self._record("check_citations", params)
        return await self.answer_check(params)

    @activity.defn(name="prepare_check")
    async def prepare_check(self, params: CheckInput) -> int:
        """Mock of ``prepare_check``: the sentences it would have assessed."""
        self._record("prepare_check", params)
        return await self.answer_prepare(params)

    @activity.defn(name="agent_turn")
    async def agent_turn(self, params: AgentTurnInput) -> AgentTurnOutput:
        """Mock of ``agent_turn``."""
        self._record("agent_turn", params)
        calls = [ToolCall(id=f"call_{params.turn}_{k}", name=name, arguments=json.dumps(args))
                 for k, (name, args) in enumerate(self.answer_turn(params))]
        return AgentTurnOutput(calls=calls, model=MODEL, usage=usage(),
                               mcp_tools=self.offered_mcp())

    @activity.defn(name="agent_tool")
    async def agent_tool(self, params: ToolCallInput) -> ToolCallOutput:
        """Mock of ``agent_tool``."""
        self._record("agent_tool", params)
        return self.answer_tool(params)

    @activity.defn(name="report_changes")
    async def report_changes(self, params: ChangesInput) -> ChangesOutput:
        """Mock of ``report_changes``: a first run."""
        self._record("report_changes", params)
        return ChangesOutput(body_key=f"changes/{slug(params.schedule_id)}.md",
                             summary="first run")

    # ----- canned answers (override in a subclass) ----------------------------------
    def offered_mcp(self) -> list[str]:
        """The worker's MCP tools offered with each turn: none."""
        return []

    def answer_turn(self, params: AgentTurnInput) -> list[tuple[str, dict[str, Any]]]:
        """A researcher: search, read the first hit, note it, done."""
        script: list[list[tuple[str, dict[str, Any]]]] = [
            [(ToolName.SEARCH_WEB, {"query": params.subquestion})],
            [(ToolName.READ, {"source": 1, "part": 1})],
            [(ToolName.NOTE, {"source": 1, "quote": "a quote", "claim": "a fact"})],
        ]
        return script[params.turn] if params.turn < len(script) else [
            (ToolName.DONE, {"summary": "noted"})]

    def answer_tool(self, params: ToolCallInput) -> ToolCallOutput:
        """Two hits per search; a read page; a note; a refusal as asked."""
        args = json.loads(params.call.arguments)
        name = params.call.name
        if params.refuse:
            return ToolCallOutput(key=params.key, ok=False, line=f"{name} refused")
        if name == ToolName.SEARCH_WEB:
            base = f"https://example.org/{slug(args['query'])}"
            return ToolCallOutput(key=params.key, line=f"search {args['query']!r} -> 2 results",
                                  added=[Source(url=f"{base}/{k}", title=f"#{k}")
                                         for k in (1, 2)])
        n = int(args.get("source", 0))
        src = params.sources[n - 1]
        if name == ToolName.READ:
            read = self.fetched(FetchInput(url=src.url, title=src.title))
            return ToolCallOutput(key=params.key, line=f"read [{n}] part 1", replaced=n,
                                  source=read, pages_fetched=1)
        assert name == ToolName.NOTE, name
        return ToolCallOutput(key=params.key, line=f"note [{n}]",
                              notes_key=f"{params.key}.note.json", cited_hash=src.content_hash)

    async def answer_sources(self, params: SourcesInput) -> SourcesAvailable:
        """The web is available; the model calls tools if ``tool_calling``."""
        return SourcesAvailable(web_provider="mock-web", tool_calling=self.tool_calling,
                                tool_calling_note="" if self.tool_calling else
                                "the mock model calls no tools")

    async def answer_llm(self, params: LlmCallInput) -> LlmCallOutput:
        """A plan for a plan request, else an answer naming the prompt's start."""
        if params.answer_schema == AnswerSchema.PLAN:
            return LlmCallOutput(text=json.dumps({"subquestions": self.plan}), model=MODEL,
                                 usage=usage())
        return LlmCallOutput(text=f"ANSWER to: {params.prompt[:60]}", model=MODEL,
                             usage=usage())

    async def answer_pdf(self, params: CreatePdfInput) -> CreatePdfOutput:
        """Files named after the basename, PDF first."""
        names = [f"{params.basename}.{fmt}" for fmt in params.formats]
        return CreatePdfOutput(pdf_path=f"/reports/{names[0]}",
                               paths=[f"/reports/{n}" for n in names],
                               keys=[f"files/{n}" for n in names], store="mock-store")

    async def answer_email(self, params: SendEmailInput) -> SendEmailOutput:
        """Sent."""
        return SendEmailOutput(sent=True, message_id="<1@mock>", recipients=[params.to])

    async def answer_search(self, params: SearchInput) -> SearchOutput:
        """Two web pages per query."""
        base = f"https://example.org/{slug(params.query)}"
        return SearchOutput(provider="mock-web", hits=[
            SearchHit(url=f"{base}/{k}", title=f"{params.query} #{k}") for k in (1, 2)])

    def fetched(self, page: FetchInput) -> Source:
        """Every page fetches fine."""
        return Source(url=page.url, title=page.title, content_hash=page_hash(page.url),
                      chars=1000, accessed="2026-01-01")

    async def answer_notes(self, params: NotesInput) -> LlmStored:
        """Notes quoting the round's first source."""
        return LlmStored(key=f"notes/{slug(params.subquestion)}.json", model=MODEL,
                         usage=usage(), summary="2 notes",
                         source_hashes=[params.sources[0].content_hash])

    async def answer_section(self, params: SectionInput) -> LlmStored:
        """A written section (or summary) at the key asked for."""
        return LlmStored(key=params.key, chars=200, model=MODEL, usage=usage(),
                         summary="written")

    async def answer_compare(self, params: CompareNotesInput) -> NotesConflicts:
        """No disagreement."""
        return NotesConflicts(key=params.key)

    async def answer_prepare(self, params: CheckInput) -> int:
        """``prepare_check``'s answer: the sections it would have read."""
        return len(params.section_keys)

    async def answer_check(self, params: CheckInput) -> CheckResult:
        """Five cited sentences, one unsupported."""
        return CheckResult(key=params.key, checked=5, supported=4, judged=1, model=MODEL,
                           usage=usage(), unsupported=[UnsupportedCitation(
                               sentence="A doubtful claim [1].", n=1, reason="not in source")])


# ----- history --------------------------------------------------------------------------
async def history(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    """The workflow's history events."""
    return [e async for e in handle.fetch_history_events()]


async def scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """Names of the activities the workflow scheduled, in order."""
    return [e.activity_task_scheduled_event_attributes.activity_type.name
            for e in await history(handle)
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]


async def patches(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The patch ids the workflow recorded (``workflow.patched`` markers), in order."""
    found = []
    for e in await history(handle):
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = e.marker_recorded_event_attributes
            if marker.marker_name == "core_patch":
                data = json.loads(marker.details["patch-data"].payloads[0].data)
                found.append(str(data["id"]))
    return found


async def count(handle: WorkflowHandle[Any, Any], kind: EventType.ValueType) -> int:
    """How many events of ``kind`` the history holds."""
    return sum(1 for e in await history(handle) if e.event_type == kind)


async def wait_for_step(handle: WorkflowHandle[Any, Any], step: str, timeout: float = 120.0
                        ) -> None:
    """Wait until the report's ``status`` query says ``step`` (queries do not move time)."""
    from durable_research.workflows.report import GenerateReportWorkflow

    async def poll() -> None:
        while True:
            try:
                if (await handle.query(GenerateReportWorkflow.status)).step == step:
                    return
            except Exception:  # noqa: BLE001 - the first workflow task has not run yet
                pass
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def wait_for_event(handle: WorkflowHandle[Any, Any], kind: EventType.ValueType,
                         timeout: float = 10.0) -> None:
    """Wait until the workflow's history holds an event of ``kind``."""

    async def poll() -> None:
        while not await count(handle, kind):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)
