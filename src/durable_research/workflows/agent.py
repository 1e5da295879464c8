"""``ResearchAgentWorkflow``: one sub-question researched by the model with tools.

Each turn the model sees its transcript (rebuilt from the store by the ``agent_turn``
activity) and asks for tool calls; each call is an ``agent_tool`` activity dispatched by
name (a turn's notes, and its reads of different sources, at once: ``AT_ONCE_PATCH``).
Both are durable steps: after a crash the workflow replays their results from
history, so no completed model turn or tool call runs again. The history carries keys,
counts and each call's new source records, never texts (the source table a call needs
goes by the key of the table the call before it stored; after reads run at once, once
inline); its length is bounded by the turn bound
(``max_steps``: a deep sub-question's 24 turns of a few calls each stay in the hundreds of
events, far under Temporal's limits), so no continue-as-new is needed.

Bounds: the turn bound, the budget (checked before every turn and every tool call), a
tool name not offered (refused, recorded), calls that repeat an earlier one (refused; the
second time the sub-question stops). Whatever stops it, the sub-question ends with the
notes it has and its result says why (the report's notes show it). Progress and the
``raise_allowance`` signal are the fixed pipeline's (the parent cannot tell them apart).
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, is_cancelled_exception

from durable_research.workflows.steps import AGENT_TOOL_STEP, AGENT_TURN_STEP, run_step
from durable_research.workflows.subquestion import ResearchQuestionWorkflow, _short

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.keys import agent_folder, agent_result_name
    from durable_research.contract.research import SubState
    from durable_research.research.agent.registry import (
        AtOnce,
        ToolName,
        arguments_of,
        at_once,
        offered,
        repeat_of,
        source_number,
    )
    from durable_research.research.agent.types import (
        AgentTurnInput,
        AgentTurnOutput,
        ToolCall,
        ToolCallInput,
        ToolCallOutput,
        ToolContext,
        changes_table,
        next_table,
    )
    from durable_research.research.types import Source, SubResearchInput, SubResearchResult

# Calls refused as repeats before the sub-question is stopped (the model was told once).
MAX_REPEATS = 2
# Calls of tools not offered before it is stopped.
MAX_UNKNOWN = 3
# Why a call the same as an earlier one is not run (the model reads it as the result).
REPEATED = "you made this call before; its result is above"
# A turn's calls that change no source table (its notes), or each only the source it
# names (its reads of different sources), run at once: one after another, each was a
# workflow task and an activity start on the sub-question's chain (a deep sub-question:
# ~6 notes and 2 reads, ~6 round trips that need not wait for each other).
AT_ONCE_PATCH = "agent-calls-at-once"


@workflow.defn(name="ResearchAgentWorkflow")
class ResearchAgentWorkflow(ResearchQuestionWorkflow):
    """Researches one sub-question by the model's choice of tools, within bounds."""

    def __init__(self) -> None:
        """The fixed pipeline's query-visible state, and the agent's."""
        super().__init__()
        self._sources: list[Source] = []
        self._seen: set[str] = set()
        self._repeats = 0
        self._unknown = 0
        self._stop = ""
        # The source table the last tool call stored ("" until one has: then the records
        # go inline, as a run begun before tables were stored keeps doing).
        self._table_key = ""

    @workflow.run
    async def run(self, params: SubResearchInput) -> SubResearchResult:
        """Model turns and tool calls until ``done`` or a bound."""
        result = self._begin(params)
        prefix = agent_folder(workflow.info().run_id)
        tools = offered(params.web, bool(params.collection))
        context = ToolContext(
            question=params.question, subquestion=params.subquestion,
            collection=params.collection, web=params.web,
            allow_domains=params.allow_domains, deny_domains=params.deny_domains,
            prefer_domains=params.prefer_domains, prefer_paths=params.prefer_paths,
            search_results=params.search_results, ddgs_reach=params.ddgs_reach)
        steps = max(1, params.max_steps)
        for turn in range(steps):
            if not self._llm_allowed():
                self._stop_by_budget()
                break
            await self._report(SubState.THINKING, passing=True)
            try:
                out = await run_step(AGENT_TURN_STEP, AgentTurnInput(
                    question=params.question, subquestion=params.subquestion,
                    model=params.model, prefix=prefix, turn=turn, tools=tools,
                    steps_left=steps - turn, language=params.language), AgentTurnOutput)
            except ActivityError as exc:
                if is_cancelled_exception(exc):
                    raise
                result.failed.append(f"agent turn: {_short(exc)}")
                self._stop = "the model could not be asked for its next step"
                break
            self._progress.usage = self._progress.usage.add(out.usage)
            self._progress.steps = turn + 1
            if not out.calls:
                self._stop = "the model stopped without calling done"
                break
            # done needs no activity; the calls before and after it are run.
            finished = any(call.name == ToolName.DONE for call in out.calls)
            # The worker's MCP tools offered with the turn may be called too.
            allowed = tools + out.mcp_tools
            todo = [(agent_result_name(prefix, turn, k), call)
                    for k, call in enumerate(out.calls) if call.name != ToolName.DONE]
            while todo:
                group = self._at_once(todo, allowed)
                if len(group) > 1 and workflow.patched(AT_ONCE_PATCH):
                    going = await self._call_at_once(group, context, result)
                else:
                    group = todo[:1]
                    going = await self._call(group[0][1], group[0][0], allowed, context,
                                             result)
                del todo[:len(group)]
                if not going:
                    break
            if finished or self._stop:
                break
        else:
            self._stop = f"it reached its bound of {steps} model turns"
        result.sources = [s for s in self._sources if s.content_hash or not s.ok]
        if self._stop:
            result.remarks.append(f"the research agent stopped: {self._stop}")
        return await self._finish(result)

    def _stop_by_budget(self) -> None:
        self._progress.state = SubState.BUDGET
        self._stop = "the budget was reached"

    def _at_once(self, todo: list[tuple[str, ToolCall]], tools: list[str]
                 ) -> list[tuple[str, ToolCall]]:
        """The calls at the head of ``todo`` that may run at once: offered calls of one
        kind (:class:`AtOnce`) that keep the source table, or that name different
        sources while the page budget has a page for each; only while the budget allows a
        call (else one at a time, which stops where it did)."""
        head = todo[0][1]
        kind = at_once(head.name) if head.name in tools else AtOnce.NEVER
        if kind == AtOnce.NEVER or not self._llm_allowed():
            return todo[:1]
        group: list[tuple[str, ToolCall]] = []
        named: set[int] = set()
        for key, call in todo:
            if call.name not in tools or at_once(call.name) != kind:
                break
            if kind == AtOnce.OWN_SOURCE:
                args = arguments_of(call.arguments)
                n = source_number(args, len(self._sources)) if args is not None else 0
                if not n or n in named:
                    break
                named.add(n)
            group.append((key, call))
        if kind == AtOnce.OWN_SOURCE and self._allowance.pages >= 0 and \
                self._pages_left() < len(group):
            return todo[:1]
        return group or todo[:1]

    async def _call_at_once(self, group: list[tuple[str, ToolCall]], context: ToolContext,
                            result: SubResearchResult) -> bool:
        """Run the calls :meth:`_at_once` grouped, as :meth:`_call` runs one: the same
        inputs but the table (each from the one they all start from), repeats refused and
        counted in the model's order, up to the call that reaches :data:`MAX_REPEATS`;
        their outputs taken in that order, up to the first failed call (the later ones,
        run already, are left out as one after another they would not have run; the pages
        they fetched still count against the budget). Each
        stored the table it started from with its own change: after two or more changes,
        the next call takes the workflow's table inline (it stores it again). False stops
        the turn."""
        inputs = []
        for key, call in group:
            same = repeat_of(call.name, call.arguments)
            refuse = REPEATED if self._repeated(same) else ""
            self._seen.add(same)
            inputs.append(self._tool_input(call, key, refuse, context))
            if self._repeats >= MAX_REPEATS:
                break
        await self._report(SubState.ACTING, passing=True)
        outs = await asyncio.gather(*(self._run_tool(one) for one in inputs))
        lines = []
        changed = []
        for k, (one, out) in enumerate(zip(inputs, outs, strict=True)):
            if isinstance(out, ActivityError):
                if is_cancelled_exception(out):
                    raise out
                result.failed.append(f"{one.call.name}: {_short(out)}")
                self._stop = f"its {one.call.name} call failed"
                # The later calls are left out, as one after another they would not have
                # run; but they did run, and the pages they fetched are spent.
                self._progress.fetched += sum(later.pages_fetched for later in outs[k + 1:]
                                              if isinstance(later, ToolCallOutput))
                break
            self._take(out, result)
            lines.append(self._progress.step)
            changed += [out.table_key] if changes_table(out) else []
        if changed:
            self._table_key = changed[0] if len(changed) == 1 else ""
        if lines:  # every step's line reaches the report's log, in one snapshot
            self._progress.lines = lines
            await self._report()
            self._progress.lines = []
        if not self._stop and self._repeats >= MAX_REPEATS:
            self._stop = "it repeated calls without progress"
        return not self._stop

    def _tool_input(self, call: ToolCall, key: str, refuse: str, context: ToolContext
                    ) -> ToolCallInput:
        """The input of one call: the table by key once a call stored one."""
        return ToolCallInput(
            call=call, key=key, refuse=refuse, context=context,
            sources=[] if self._table_key else list(self._sources),
            sources_key=self._table_key,
            pages_left=-1 if self._allowance.pages < 0 else max(0, self._pages_left()))

    @staticmethod
    async def _run_tool(params: ToolCallInput) -> ToolCallOutput | ActivityError:
        """One ``agent_tool`` step; its failure returned (taken in the calls' order)."""
        try:
            return await run_step(AGENT_TOOL_STEP, params, ToolCallOutput)
        except ActivityError as exc:
            return exc

    async def _call(self, call: ToolCall, key: str, tools: list[str], context: ToolContext,
                    result: SubResearchResult) -> bool:
        """Run (or refuse) one tool call and take in its result; False stops the turn."""
        refuse = ""
        same = repeat_of(call.name, call.arguments)
        if call.name not in tools:
            self._unknown += 1
            refuse = f"there is no tool {call.name[:60]!r}; use one of {', '.join(tools)}"
            result.failed.append(f"the agent asked for an unknown tool {call.name[:60]!r}")
        elif self._repeated(same):
            refuse = REPEATED
        elif not self._llm_allowed():
            self._stop_by_budget()
            return False
        self._seen.add(same)
        await self._report(SubState.ACTING, passing=True)
        try:
            out = await run_step(AGENT_TOOL_STEP, self._tool_input(call, key, refuse, context),
                                 ToolCallOutput)
        except ActivityError as exc:
            if is_cancelled_exception(exc):
                raise
            result.failed.append(f"{call.name}: {_short(exc)}")
            self._stop = f"its {call.name} call failed"
            return False
        self._take(out, result)
        await self._report()  # every step's line reaches the report's log
        if self._repeats >= MAX_REPEATS:
            self._stop = "it repeated calls without progress"
        elif self._unknown >= MAX_UNKNOWN:
            self._stop = "it kept asking for tools that do not exist"
        return not self._stop

    def _repeated(self, same: str) -> bool:
        """Whether a call whose repeat key is ``same`` was made before; counted if so."""
        if same and same in self._seen:
            self._repeats += 1
            return True
        return False

    def _take(self, out: ToolCallOutput, result: SubResearchResult) -> None:
        """A call's new sources, pages, notes and progress line into the state."""
        self._sources = next_table(self._sources, out)
        self._table_key = out.table_key
        result.searched += sum(1 for _s in out.added)
        self._progress.searched = result.searched
        self._progress.fetched += out.pages_fetched
        if out.failed:
            self._progress.failed += 1
            result.failed.append(out.failed)
        if out.notes_key:
            result.notes_keys.append(out.notes_key)
            self._progress.notes += 1
            if out.cited_hash not in result.cited_hashes:
                result.cited_hashes.append(out.cited_hash)
        self._progress.step = f"q{self._progress.index + 1}: {out.line}"
