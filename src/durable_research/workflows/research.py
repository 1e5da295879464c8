"""The research part of a report: plan -> sub-questions (children) -> sections -> check.

Runs inside ``GenerateReportWorkflow`` (deterministic; every side effect is an
activity or a child workflow). Texts stay in the artifact store; this code moves
keys, hashes and counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from temporalio import workflow
from temporalio.exceptions import ActivityError, ChildWorkflowError, is_cancelled_exception

from durable_research.workflows.agent import ResearchAgentWorkflow
from durable_research.workflows.budget import BudgetTracker, add_raise
from durable_research.workflows.prefetch import (
    PREFETCH_AFTER_FIRST_PATCH,
    PREFETCH_PATCH,
    Prefetcher,
    first_rounds_in,
)
from durable_research.workflows.rounds import first_round_hashes
from durable_research.workflows.steps import (
    CHECK_STEP,
    COMPARE_NOTES_STEP,
    LLM_STEP,
    PREPARE_CHECK_STEP,
    SECTION_STEP,
    end_if_cancelled,
    run_step,
)
from durable_research.workflows.subquestion import ResearchQuestionWorkflow

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.citations import Reference, Verification
    from durable_research.contract.keys import (
        checked_draft_name,
        conflicts_name,
        section_conflicts_name,
        section_name,
        summary_name,
    )
    from durable_research.contract.llm import (
        OFFLINE_MODELS,
        AnswerSchema,
        LlmCallInput,
        LlmCallOutput,
    )
    from durable_research.contract.report import ReportInput
    from durable_research.contract.research import (
        DEPTH_PRESETS,
        Depth,
        ResearchProgress,
        SubProgress,
        SubState,
    )
    from durable_research.llm.prompts import in_language
    from durable_research.research import authority, prompts
    from durable_research.research.agent.choice import AgentChoice
    from durable_research.research.clarify import (
        answered,
        clarified_question,
        clarify_note,
        parse_questions,
    )
    from durable_research.research.plan import parse_plan
    from durable_research.research.types import (
        SUMMARY_LEFT_OUT,
        CheckInput,
        CheckResult,
        CompareNotesInput,
        EarlierNotes,
        FirstRound,
        LlmStored,
        NotesConflicts,
        SectionInput,
        SubResearchInput,
        SubResearchResult,
    )

PLAN_ATTEMPTS = 3
# Validate only the sub-questions a plan uses (an answer rejected before may pass now, so
# fewer plan calls: the command sequence changes).
PLAN_FIRST_PATCH = "plan-first-n"
# A sub-question that is JSON or numbering debris (no letter, braces) is asked again, as any
# invalid plan is (one more plan call where such an answer came: the command sequence changes).
PLAN_WORDS_PATCH = "plan-words-only"
SECTION_CONCURRENCY = 3
# Each section is written as soon as its sub-question and every earlier one have ended (its
# source numbers are then final) while later sub-questions still run, its notes compared
# with those of the sections before it; the status query lists it at once (the draft
# grows). Before: every section after every sub-question, one comparison of all notes.
EARLY_SECTIONS_PATCH = "sections-while-researching"
# Before writing, the notes are compared across sources (a new activity in the history).
COMPARE_NOTES_PATCH = "compare-notes"
# While the summary is written, the citation check's work that needs no summary is done by
# ``prepare_check`` (a new activity beside the summary's): the check then starts judging
# sooner. Measured on a deep report: 1.6-1.9 s of the check's own work on the critical path.
PREPARE_CHECK_PATCH = "check-while-summary"
# The sections' comparisons run one at a time: each is CPU work in the worker (one GIL), and
# several at once (a wave of sub-questions ends together) starved the sub-questions still
# running, whose steps are the report's critical path. Measured on a deep report (bench
# goal 3, load 5-6): 4 at once took 0.7-1.4 s each while the next wave's notes waited 1.8 s
# between their rounds. One at a time, the first section starts sooner, the last no later.
COMPARE_ONE_PATCH = "compare-notes-one-at-a-time"
# The check is prepared a first time once every sub-question has ended and every section's
# comparison is done (the sources are numbered for good): the sources indexed and the
# sections written by then assessed while the last sections are written; beside the summary
# only the rest is left. Prepared beside the summary alone, it outlasted the summary's 1 s
# call by 0.9-1.7 s on a deep report (bench goal 3, load 5-6).
PREPARE_AFTER_RESEARCH_PATCH = "check-after-research"
# Every sub-question's first round is searched and fetched by the parent before it starts
# (the first wave's too, not only the waiting ones'), and each is told the first rounds of
# those before it: its notes calls work out which passages the calls before them in plan
# order were sent (research/sendonce.py), so the same report comes out whichever call runs
# first. Before: first come, first served through a ledger in the store, and one report
# on the same documents gave 23-28 cited sentences in four runs.
NOTES_IN_ORDER_PATCH = "notes-in-plan-order"


@dataclass
class Researched:
    """What research produced for the writing steps."""

    body_key: str = ""
    references: list[Reference] = field(default_factory=list)
    verification: Verification | None = None
    notes: list[str] = field(default_factory=list)
    # No source could be used at all: the caller falls back to a single answer.
    empty: bool = False
    reason: str = ""
    # The plan was rejected in review: no report.
    rejected: bool = False


class Research:
    """One report's research, driven by the report workflow."""

    def __init__(self, params: ReportInput, question: str, progress: ResearchProgress,
                 budget: BudgetTracker, log: Callable[[str], None],
                 set_step: Callable[[str], None],
                 agent: AgentChoice | None = None) -> None:
        """Keep the shared state the workflow's queries and updates read; ``agent``: the
        sub-questions are researched by the agent (``ResearchAgentWorkflow``)."""
        self.params = params
        self.agent = agent if agent is not None and agent.agent else None
        self.question = question
        # What the plan is asked for: the question, with the user's clarifying answers.
        self.plan_question = question
        self.progress = progress
        self.budget = budget
        self.log = log
        self.set_step = set_step
        self.preset = DEPTH_PRESETS[Depth(params.depth)]
        self.running: dict[
            int, workflow.ChildWorkflowHandle[ResearchQuestionWorkflow, SubResearchResult]] = {}
        self.notes: list[str] = []
        self.model = ""
        # Sections written while researching (EARLY_SECTIONS_PATCH): key by sub-question.
        self.early = False
        self.written: dict[int, str] = {}
        self.skipped: list[str] = []
        # The sections' notes by sub-question: writers finish in any order, the report's
        # notes list them in the sections' order.
        self.section_notes: dict[int, str] = {}
        self.section_slots = asyncio.Semaphore(SECTION_CONCURRENCY)
        # COMPARE_ONE_PATCH: the sections' comparisons one at a time (None: all at once).
        self.compare_slots: asyncio.Semaphore | None = None
        # PREPARE_AFTER_RESEARCH_PATCH: the first preparation of the check, running or done
        # (None: not started); its result says whether it worked (if not, it is not asked
        # again and the check does its own work).
        self.preparing: asyncio.Task[bool] | None = None

    async def llm(self, params: LlmCallInput) -> LlmCallOutput:
        """An LLM call of the report itself (plan), counted against the budget."""
        out = await run_step(LLM_STEP, params, LlmCallOutput, self.log)
        self.budget.own = self.budget.own.add(out.usage)
        self.model = out.model or self.model
        return out

    def stored(self, out: LlmStored) -> None:
        """Count an LLM-backed activity's usage."""
        self.budget.own = self.budget.own.add(out.usage)
        self.model = out.model or self.model

    async def clarify(self) -> None:
        """Let the model ask the user before planning (``--clarify``): their answers go into
        the plan's question and the report's notes. No valid questions: plan as asked."""
        if not self.budget.llm_allowed():
            return
        out = await self.llm(LlmCallInput(
            prompt=prompts.clarify_prompt(self.question),
            system=in_language(prompts.CLARIFY_SYSTEM, self.params.language),
            model=self.params.model, answer_schema=AnswerSchema.CLARIFY))
        questions = parse_questions(out.text)
        self.log(f"clarifying questions: {len(questions)}")
        if not questions:
            return
        pairs = answered(questions, await self.ask_user(questions))
        self.plan_question = clarified_question(self.question, pairs)
        self.notes.append(clarify_note(questions, pairs))

    async def plan(self) -> list[str]:
        """Ask for sub-questions; an invalid answer is asked again with the error, boundedly."""
        error = ""
        for _attempt in range(PLAN_ATTEMPTS):
            if not self.budget.llm_allowed():
                break
            out = await self.llm(LlmCallInput(
                prompt=prompts.plan_prompt(self.plan_question, self.preset.max_subquestions,
                                           error),
                system=in_language(prompts.PLAN_SYSTEM, self.params.language),
                model=self.params.model,
                answer_schema=AnswerSchema.PLAN))
            try:
                plan = parse_plan(out.text, self.preset.max_subquestions,
                                  first_only=workflow.patched(PLAN_FIRST_PATCH),
                                  words_only=workflow.patched(PLAN_WORDS_PATCH))
                self.log(f"plan: {len(plan)} sub-questions")
                return plan
            except ValueError as exc:
                error = str(exc)[:500]
                self.log(f"plan rejected: {error}")
        return [self.question]

    # ----- sub-questions -------------------------------------------------------------
    def on_progress(self, update: SubProgress) -> None:
        """A child's progress signal: show it and count its spending."""
        if not 0 <= update.index < len(self.progress.subs):
            return
        if update.seq and update.seq < self.progress.subs[update.index].seq:
            return  # overtaken by a newer snapshot that arrived first
        # The agent's steps: one line each in the report's log (a step repeated at once,
        # the same note line, once).
        last = self.progress.subs[update.index].step
        for line in update.lines or [update.step]:
            if line and line != last:
                self.log(line)
                last = line
        update.lines = []  # logged; the status shows the last step
        self.progress.subs[update.index] = update
        self.budget.child_usage[update.index] = update.usage
        self.budget.child_pages[update.index] = update.fetched + update.failed
        self.progress.pages_fetched = sum(s.fetched for s in self.progress.subs)
        self.progress.pages_failed = sum(s.failed for s in self.progress.subs)

    async def research_all(self, subquestions: list[str]) -> list[SubResearchResult]:
        """Run one child workflow per sub-question, a few at a time."""
        self.progress.plan = list(subquestions)
        self.progress.subs = [SubProgress(index=i, subquestion=q)
                              for i, q in enumerate(subquestions)]
        slots = asyncio.Semaphore(self.preset.concurrency)
        results: list[SubResearchResult | None] = [None] * len(subquestions)
        started = [False] * len(subquestions)
        parent = workflow.info().workflow_id
        template = self.child_input(parent, "", 0)
        # With a token or cost cap the sections wait: written early, they would spend what
        # the sub-questions still waiting for a slot are granted.
        caps = self.budget.caps
        self.early = not (caps.max_usd or caps.max_tokens) and \
            workflow.patched(EARLY_SECTIONS_PATCH)
        ahead = Prefetcher(list(range(self.preset.concurrency, len(subquestions))),
                           self.progress.subs)
        # The agent chooses its own searches: nothing is gathered ahead for it.
        if ahead.state and not self.budget.caps.max_pages and not self.agent and \
                workflow.patched(PREFETCH_PATCH):
            subs = self.progress.subs
            # Not while a running one still gathers its first round: they all fetch at
            # once at the start, the slowest holds up the report, and gathering ahead is
            # the same work (bench goal 3: plan -> the first wave's notes).
            after_first = workflow.patched(PREFETCH_AFTER_FIRST_PATCH)
            ahead.start(template, subquestions, lambda: bool(self.budget.finished) or (
                any(s.state == SubState.NOTING for s in subs) and (
                    not after_first or first_rounds_in(subs, started))))

        # NOTES_IN_ORDER_PATCH: the first rounds the parent gathered, and which
        # sub-questions are past gathering theirs (their successors wait for them).
        in_order = not self.agent and not self.budget.caps.max_pages and \
            workflow.patched(NOTES_IN_ORDER_PATCH)
        firsts: list[FirstRound | None] = [None] * len(subquestions)
        gathered = [False] * len(subquestions)
        ended = [False] * len(subquestions)
        # Sub-questions whose section has not had its notes compared yet (or been skipped).
        to_compare = [len(subquestions)]
        if self.early and workflow.patched(COMPARE_ONE_PATCH):
            self.compare_slots = asyncio.Semaphore(1)
        if self.early and workflow.patched(PREPARE_AFTER_RESEARCH_PATCH):
            self.preparing = asyncio.ensure_future(
                self.prepare_after_research(lambda: to_compare[0] == 0, results))

        async def one(i: int) -> None:
            try:
                await research_one(i)
            finally:
                ended[i] = True
            if self.early:
                await workflow.wait_condition(lambda: all(ended[: i + 1]))
                await self.write_early(subquestions, [r for r in results[: i + 1] if r], i,
                                       to_compare)

        async def research_one(i: int) -> None:
            async with slots:
                try:
                    first_round = await ahead.take(i)
                    waiting = started.count(False)
                    started[i] = True
                    allowance = self.budget.allowance(waiting)
                    no_pages = allowance.pages == 0 and not self.params.collection
                    if no_pages or allowance.usd == 0 or allowance.tokens == 0:
                        self.progress.subs[i].state = SubState.BUDGET
                        results[i] = SubResearchResult(
                            index=i, state=SubState.BUDGET,
                            error="budget reached before it started")
                        return
                    if in_order and first_round is None:
                        first_round = await ahead.gather(template, subquestions[i], i)
                    firsts[i] = first_round
                finally:
                    gathered[i] = True
                self.budget.granted[i] = allowance
                child = self.child_input(parent, subquestions[i], i)
                child.allowance, child.first_round = allowance, first_round
                if in_order:
                    if not all(gathered[:i]):  # the first wave's gather at once
                        await workflow.wait_condition(lambda: all(gathered[:i]))
                    child.earlier = [
                        EarlierNotes(subquestions[j], first_round_hashes(f, template.pages))
                        for j, f in enumerate(firsts[:i]) if f is not None]
                kind = ResearchAgentWorkflow if self.agent else ResearchQuestionWorkflow
                handle = await workflow.start_child_workflow(
                    kind.run, child, id=f"{parent}/q{i + 1}")
                self.running[i] = handle
                try:
                    results[i] = await handle
                except ChildWorkflowError as exc:
                    if is_cancelled_exception(exc):
                        raise
                    self.progress.subs[i].state = SubState.FAILED
                    results[i] = SubResearchResult(index=i, state=SubState.FAILED,
                                                   error=str(exc.cause or exc)[:300])
                finally:
                    self.running.pop(i, None)
                    self.budget.finished.add(i)
                end_if_cancelled()  # the child ended before hearing the report's cancel
                done = results[i]
                if done is not None:
                    self.budget.child_usage[i] = done.usage
                    self.progress.subs[i].state = done.state
                    quoted, fetched = len(done.cited_hashes), done.pages_fetched
                    self.log(f"q{i + 1} {done.state}: {quoted} source{'' if quoted == 1 else 's'}"
                             f" quoted, {fetched} page{'' if fetched == 1 else 's'} fetched, "
                             f"{len(done.failed)} not used")

        try:
            await asyncio.gather(*(one(i) for i in range(len(subquestions))))
        except BaseException:
            if self.preparing is not None and not self.preparing.done():
                self.preparing.cancel()
            raise
        finally:
            await ahead.stop()
        return [r for r in results if r is not None]

    async def prepare_after_research(self, ready: Callable[[], bool],
                                     results: list[SubResearchResult | None]) -> bool:
        """Once ``ready()`` (every sub-question ended, every section's notes compared),
        prepare the check with the sections written by then; whether it was prepared (a
        failure is logged and the check then does all of its work itself)."""
        await workflow.wait_condition(ready)
        done = [r for r in results if r is not None]
        refs = self.references(done)
        if not refs:
            return False  # nothing to check: the report falls back
        keys = [self.written[k] for k in sorted(self.written)]
        return await self.prepare_check(self.check_input(keys, refs, self.evidence(done, refs)))

    async def prepared(self) -> bool:
        """Wait for the check's first preparation, if one was started; whether it worked
        (True when none was started: the next one does all of the work)."""
        return True if self.preparing is None else await self.preparing

    def child_input(self, parent: str, subquestion: str, index: int) -> SubResearchInput:
        """A sub-question's input (its allowance and first round are set at its start)."""
        return SubResearchInput(
            question=self.question, subquestion=subquestion, index=index, parent_id=parent,
            model=self.params.model, collection=self.params.collection, web=self.params.web,
            allow_domains=self.params.allow_domains, deny_domains=self.params.deny_domains,
            prefer_domains=self.params.prefer_domains, prefer_paths=self.params.prefer_paths,
            pages=self.preset.pages_per_subquestion, rounds=self.preset.rounds,
            search_results=self.preset.search_results, ddgs_reach=self.params.ddgs_reach,
            max_steps=self.agent.max_steps if self.agent else 0,
            language=self.params.language)

    async def share_raise(self) -> None:
        """After a budget raise, give the running sub-questions their part of it."""
        if not self.running:
            return
        waiting = len(self.running) + sum(
            1 for s in self.progress.subs if s.state == SubState.PENDING)
        extra = self.budget.allowance(waiting)
        for i, handle in list(self.running.items()):
            # The child applies the same rule to its own allowance (an uncapped grant
            # stays uncapped: it used to become extra - 1 here).
            add_raise(self.budget.granted[i], extra)
            await handle.signal(ResearchQuestionWorkflow.raise_allowance, extra)

    # ----- writing -------------------------------------------------------------------
    def references(self, results: list[SubResearchResult]) -> list[Reference]:
        """The fixed, numbered source list: sources quoted by notes, in plan order."""
        refs: list[Reference] = []
        seen: set[str] = set()
        for res in sorted(results, key=lambda r: r.index):
            for src in res.sources:
                if src.ok and src.content_hash in res.cited_hashes and \
                        src.content_hash not in seen:
                    seen.add(src.content_hash)
                    refs.append(Reference(
                        n=len(refs) + 1, title=src.title, url=src.url, kind=src.kind,
                        content_hash=src.content_hash, accessed=src.accessed,
                        authority=authority.source_authority(
                            src.kind, src.url, self.params.prefer_domains,
                            self.params.prefer_paths)))
        return refs

    async def compare_notes(self, results: list[SubResearchResult],
                            focus: SubResearchResult | None = None) -> NotesConflicts:
        """Where the notes' sources disagree (with ``focus``: that sub-question's with the
        others'); the section writers are told (no LLM call)."""
        if not workflow.patched(COMPARE_NOTES_PATCH):
            return NotesConflicts()
        keys = [k for res in sorted(results, key=lambda r: r.index) for k in res.notes_keys]
        found = await run_step(COMPARE_NOTES_STEP, CompareNotesInput(
            notes_keys=keys, key=section_conflicts_name(focus.index + 1) if focus else
            conflicts_name(), focus_keys=focus.notes_keys if focus else []),
            NotesConflicts, self.log)
        if found.count:
            points = "1 point" if found.count == 1 else f"{found.count} points"
            where = f" (section {focus.index + 1})" if focus else ""
            self.log(f"sources disagree on {points}{where}: the writers are told")
        return found

    async def write_early(self, subquestions: list[str], done: list[SubResearchResult],
                          i: int, to_compare: list[int]) -> None:
        """Write sub-question ``i``'s section once ``done`` (it and every earlier one) have
        ended: their sources are numbered for good; shown by the status query at once.
        ``to_compare[0]`` counts down once its notes are compared (or it has none)."""
        res = done[-1] if done and done[-1].index == i else None
        if res is None or not res.notes_keys:
            to_compare[0] -= 1
            return
        if self.compare_slots is None:
            conflicts = await self.compare_notes(done, focus=res)
        else:
            async with self.compare_slots:
                conflicts = await self.compare_notes(done, focus=res)
        to_compare[0] -= 1
        key = await self.write_section(subquestions, res, self.references(done), conflicts)
        self.written[i] = key
        self.progress.sections = [self.written[k] for k in sorted(self.written)]

    async def write_section(self, subquestions: list[str], res: SubResearchResult,
                            refs: list[Reference], conflicts: NotesConflicts) -> str:
        """Write ``res``'s section (a few at a time); its key."""
        async with self.section_slots:
            # Out of budget: the section quotes its notes (no LLM call, no cost).
            role = "section" if self.budget.llm_allowed() else "extractive"
            if role == "extractive":
                self.skipped.append(subquestions[res.index])
            disputing = conflicts.other_sides(set(res.cited_hashes))
            out = await run_step(SECTION_STEP, SectionInput(
                question=self.question, heading=subquestions[res.index],
                subquestion=subquestions[res.index], notes_keys=res.notes_keys,
                # Only the sources this section's notes quote (and those that disagree
                # with them): the history stays small.
                references=[r for r in refs if r.content_hash in res.cited_hashes
                            or r.content_hash in disputing],
                conflicts_key=conflicts.key,
                model=self.params.model, role=role, language=self.params.language,
                key=section_name(res.index + 1)), LlmStored, self.log)
            self.stored(out)
            # Results of older workers (in histories) have no quoted_notes: the
            # summary they wrote says it.
            quoted = out.quoted_notes or "quoted from notes" in out.summary
            if quoted and role == "section":
                self.section_notes[res.index] = f"Section {res.index + 1}: {out.summary}."
            return out.key

    async def write(self, subquestions: list[str], results: list[SubResearchResult],
                    refs: list[Reference], conflicts: NotesConflicts) -> list[str]:
        """Write one section per researched sub-question (unless written while
        researching), then the summary; return keys."""
        with_notes = [r for r in sorted(results, key=lambda r: r.index) if r.notes_keys]
        keys: list[str | None] = [self.written.get(r.index) for r in with_notes]

        async def one(pos: int, res: SubResearchResult) -> None:
            keys[pos] = await self.write_section(subquestions, res, refs, conflicts)

        await asyncio.gather(*(one(p, r) for p, r in enumerate(with_notes) if not keys[p]))
        self.notes += [self.section_notes[i] for i in sorted(self.section_notes)]
        if self.skipped:
            self.notes.append("Budget reached before writing: these sections quote their "
                              "notes instead of being written: " + "; ".join(self.skipped)
                              + ".")
        written = [k for k in keys if k]
        if written and self.budget.llm_allowed():
            summary_step = run_step(SECTION_STEP, SectionInput(
                question=self.question, role="summary", section_keys=written,
                model=self.params.model, key=summary_name(), language=self.params.language),
                LlmStored, self.log)
            if workflow.patched(PREPARE_CHECK_PATCH):
                summary, _ = await asyncio.gather(summary_step, self.prepare_rest(
                    self.check_input(list(written), refs, self.evidence(results, refs))))
            else:
                summary = await summary_step
            self.stored(summary)
            if summary.chars:
                written.insert(0, summary.key)
            else:
                # The activity keeps no uncited summary (it would escape the check).
                why = summary.summary.removeprefix(SUMMARY_LEFT_OUT) or "it cited nothing"
                self.notes.append(f"The opening summary was left out ({why}).")
        return written

    @staticmethod
    def evidence(results: list[SubResearchResult], refs: list[Reference]) -> list[Reference]:
        """The sources read but quoted by no note: claims are checked against them too."""
        seen = {r.content_hash for r in refs}
        out: list[Reference] = []
        for res in sorted(results, key=lambda r: r.index):
            for src in res.sources:
                if src.ok and src.content_hash and src.content_hash not in seen:
                    seen.add(src.content_hash)
                    out.append(Reference(title=src.title, url=src.url, kind=src.kind,
                                         content_hash=src.content_hash, accessed=src.accessed))
        return out

    def check_input(self, keys: list[str], refs: list[Reference],
                    evidence: list[Reference]) -> CheckInput:
        """The citation check of sections ``keys``; the judge only while the budget allows."""
        return CheckInput(
            question=self.question, section_keys=keys, references=refs,
            model=self.params.model, use_judge=self.budget.llm_allowed(),
            key=checked_draft_name(), evidence=evidence, collection=self.params.collection)

    async def prepare_rest(self, params: CheckInput) -> None:
        """Beside the summary: prepare the check for every section, after the first
        preparation (whose work the worker keeps); not again after it failed."""
        if await self.prepared():
            await self.prepare_check(params)

    async def prepare_check(self, params: CheckInput) -> bool:
        """Have the check's sources indexed and these sections' sentences assessed ahead
        (the worker keeps them for the check); a failure costs only that time. Whether it
        worked."""
        try:
            await run_step(PREPARE_CHECK_STEP, params, int, self.log)
        except ActivityError as exc:
            if is_cancelled_exception(exc):
                raise
            self.log(f"preparing the citation check failed ({exc.cause or exc}): "
                     "the check does all of its work itself")
            return False
        return True

    async def check(self, keys: list[str], refs: list[Reference],
                    evidence: list[Reference]) -> CheckResult:
        """Check every cited sentence against all gathered sources; the judge only while
        the budget allows."""
        out = await run_step(CHECK_STEP, self.check_input(keys, refs, evidence),
                             CheckResult, self.log)
        self.budget.own = self.budget.own.add(out.usage)
        return out

    async def run(self) -> Researched:
        """The whole research: plan, sub-questions, sections, citation check."""
        from durable_research.contract.report import ReportStep

        self.set_step(ReportStep.PLANNING)
        if self.params.clarify:  # a new input field: histories without it never come here
            await self.clarify()
            self.set_step(ReportStep.PLANNING)
        proposed = await self.plan()
        subquestions = await self.review_plan(proposed)
        if not subquestions:
            return Researched(rejected=True)
        if subquestions == [self.question]:
            self.notes.append("No valid research plan was produced; the question itself was "
                              "researched as its only sub-question.")
        self.set_step(ReportStep.SOURCES)
        results = await self.research_all(subquestions)
        for res in results:
            self.notes += [f"Sub-question {res.index + 1}: {r}." for r in res.remarks[:3]]
            self.notes += [f"Not used: {f}" for f in res.failed[:10]]
            if res.error:
                self.notes.append(f"Sub-question {res.index + 1}: {res.error}")
        if any(r.state == SubState.BUDGET for r in results):
            self.notes.append(f"Budget reached during research ({self.budget.describe()}); "
                              "the report is written from what was gathered.")
        refs = self.references(results)
        self.progress.sources_kept = len(refs)
        self.log(f"{len(refs)} source{'' if len(refs) == 1 else 's'} kept for citing")
        if (self.params.budget.max_usd and self.budget.total().cost_usd is None
                and self.model not in OFFLINE_MODELS):  # the offline model costs nothing
            # Every front end shows it: the caps as the page names them, no CLI option.
            self.notes.append("The model's prices are unknown, so the cost cap could not be "
                              "enforced; use the token cap to cap spending.")
        if not refs:
            read = sum(1 for r in results for s in r.sources if s.ok)
            why = (f"{read} source(s) were read but none could be quoted" if read
                   else "no usable source was found")
            return Researched(notes=self.notes, empty=True, reason=why)
        conflicts = NotesConflicts() if self.early else await self.compare_notes(results)
        self.set_step(ReportStep.WRITING_SECTIONS)
        keys = await self.write(subquestions, results, refs, conflicts)
        await self.prepared()  # no activity of the report outlives its step
        if not keys:
            return Researched(notes=self.notes, empty=True)
        self.set_step(ReportStep.CHECKING)
        checked = await self.check(keys, refs, self.evidence(results, refs))
        if checked.remark:
            self.notes.append(checked.remark)
        verification = Verification(
            checked=checked.checked, supported=checked.supported, judged=checked.judged,
            unsupported=checked.unsupported, corroborated=checked.corroborated,
            disputed=checked.disputed,
            treatment="marked [unverified] in the text" if checked.unsupported else "")
        self.log(f"citations: {verification.summary()}")
        return Researched(body_key=checked.key, references=refs + checked.added_references,
                          verification=verification, notes=self.notes)

    async def review_plan(self, subquestions: list[str]) -> list[str]:
        """Hook for plan review; the workflow replaces it when --review-plan is on."""
        return subquestions

    async def ask_user(self, questions: list[str]) -> list[str]:
        """Hook for clarifying questions; the workflow replaces it when --clarify is on."""
        return []

