"""``ResearchQuestionWorkflow``: one sub-question's search -> fetch -> notes, as a child.

Each sub-question has its own history, can be retried or cancelled on its own, and
spends only its allowance (raised by the parent through a signal). Progress goes to
the parent by signal so the report's ``status`` query shows it live.
"""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

from durable_research.workflows.budget import add_raise
from durable_research.workflows.own_id import check_own_id
from durable_research.workflows.rounds import (
    count_pages,
    fetch_input,
    local_sources,
    pick_new,
    search_input,
)
from durable_research.workflows.steps import (
    FETCH_PAGES_STEP,
    FETCH_STEP,
    NOTES_STEP,
    SEARCH_STEP,
    run_step,
)

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.keys import notes_name
    from durable_research.contract.research import SubProgress, SubState
    from durable_research.errors import FOREIGN_RUN, root_cause
    from durable_research.research.types import (
        FOLLOW_UP_LEFT_OUT,
        Allowance,
        EarlierNotes,
        FetchInput,
        FetchPagesOutput,
        LlmStored,
        NotesInput,
        SearchHit,
        SearchOutput,
        Source,
        SubResearchInput,
        SubResearchResult,
        noted_hashes,
    )

PROGRESS_SIGNAL = "sub_progress"
THROTTLE_PATCH = "progress-every-3-pages"
FETCH_CONCURRENCY = 3
# Progress signals are sent without waiting for the parent to take them, and a round's
# pages are fetched 6 at a time: each awaited signal cost the child a workflow-task round
# trip (most of the gap between LLM calls on the critical path, bench goal 6).
NOWAIT_PATCH = "progress-nowait-fetch-6"
FETCH_CONCURRENCY_NOWAIT = 6


# One activity fetches a round's pages (``fetch_pages``): six times fewer tasks and
# events than one activity per page (bench goal 6).
BATCH_PATCH = "fetch-pages-batch"
PASSING_STATE_GAP = timedelta(seconds=1)


def _short(exc: BaseException) -> str:
    return root_cause(exc)[:300]


@workflow.defn(name="ResearchQuestionWorkflow")
class ResearchQuestionWorkflow:
    """Researches one sub-question within an allowance."""

    def __init__(self) -> None:
        """Initialise the query-visible state."""
        self._progress = SubProgress()
        self._allowance = Allowance()
        self._parent = ""
        self._signals: list[asyncio.Task[None]] = []
        self._last_sent: datetime | None = None

    @workflow.query(name="progress")
    def progress(self) -> SubProgress:
        """This sub-question's live state."""
        return self._progress

    @workflow.signal(name="raise_allowance")
    def raise_allowance(self, extra: Allowance) -> None:
        """The parent's budget was raised: add ``extra`` to this allowance."""
        add_raise(self._allowance, extra)

    async def _report(self, state: str | None = None, passing: bool = False) -> None:
        """Send the progress to the parent; a ``passing`` state (searching, fetching) only
        if the last signal is a second old: each signal is a workflow task of the parent,
        and with fast sources these states last a fraction of a second."""
        if state:
            self._progress.state = state
        if passing and workflow.patched(BATCH_PATCH):
            if self._last_sent and workflow.now() - self._last_sent < PASSING_STATE_GAP:
                return
        self._last_sent = workflow.now()
        if self._parent:
            handle = workflow.get_external_workflow_handle(self._parent)
            if workflow.patched(NOWAIT_PATCH):
                # A snapshot: the progress goes on changing while the signal is sent.
                self._progress.seq += 1
                sent = handle.signal(PROGRESS_SIGNAL, copy.deepcopy(self._progress))
                self._signals.append(asyncio.ensure_future(sent))
            else:
                await handle.signal(PROGRESS_SIGNAL, self._progress)

    def _pages_left(self) -> int:
        return 1 << 30 if self._allowance.pages < 0 else self._allowance.pages - \
            self._progress.fetched - self._progress.failed

    def _llm_allowed(self) -> bool:
        a, u = self._allowance, self._progress.usage
        if a.usd >= 0 and u.cost_usd is not None and u.cost_usd >= a.usd:
            return False
        return not (a.tokens >= 0 and u.total_tokens >= a.tokens)

    def _begin(self, params: SubResearchInput) -> SubResearchResult:
        """Check who started this child, take its allowance; an empty result."""
        # Only as the child of the report it reports to (never alone, never signalling
        # progress into a report that did not start it).
        parent = check_own_id(child=True)
        if params.parent_id != parent:
            raise ApplicationError(
                f"Refused: this sub-question is a child of {parent[:80]!r}, not of "
                f"{params.parent_id[:80]!r}", type=FOREIGN_RUN, non_retryable=True)
        self._parent = params.parent_id
        self._allowance = params.allowance
        self._progress = SubProgress(index=params.index, subquestion=params.subquestion)
        return SubResearchResult(index=params.index)

    async def _finish(self, result: SubResearchResult) -> SubResearchResult:
        """The final state and spending into ``result``; the last progress signal sent."""
        result.usage = self._progress.usage
        result.pages_fetched = self._progress.fetched
        if self._progress.state != SubState.BUDGET:
            state = SubState.DONE if result.notes_keys else SubState.FAILED
            self._progress.state = state
        if not result.notes_keys and not result.error:
            result.error = "no usable source" if result.searched else "nothing found"
        self._progress.error = result.error
        result.state = self._progress.state
        await self._report()
        await asyncio.gather(*self._signals)  # a failed send fails the child, as before
        return result

    @workflow.run
    async def run(self, params: SubResearchInput) -> SubResearchResult:
        """Search, fetch and take notes for up to ``params.rounds`` rounds."""
        result = self._begin(params)
        seen: set[str] = set()
        asked: list[str] = []  # earlier rounds' queries, fused into later local searches
        # The notes calls before each of this sub-question's: the first rounds of the
        # sub-questions before it, then its own earlier rounds.
        earlier = list(params.earlier)
        query = params.subquestion
        for round_ in range(params.rounds):
            if not query:
                break
            ahead = params.first_round if round_ == 0 else None
            if ahead is None:
                await self._report(SubState.SEARCHING, passing=True)
                try:
                    found = await run_step(SEARCH_STEP, search_input(params, query, asked),
                                           SearchOutput)
                except ActivityError as exc:
                    if is_cancelled_exception(exc):
                        raise
                    result.failed.append(f"search {query!r}: {_short(exc)}")
                    if round_ == 0:
                        result.error = f"search failed: {_short(exc)}"
                    break
                hits = found.hits
            else:
                hits = ahead.hits
            asked.append(query)
            result.searched += len(hits)
            self._progress.searched = result.searched
            local, web = pick_new(hits, seen, params.pages)
            seen.update(h.url for h in local + web)
            round_sources = local_sources(local, workflow.now().date().isoformat())
            if ahead is not None:
                round_sources += self._count_fetched(ahead.sources, result)
            elif workflow.patched(BATCH_PATCH):
                round_sources += await self._fetch_batch(web, result)
            else:
                round_sources += await self._fetch_all(web, result)
            result.sources += round_sources
            usable = [s for s in round_sources if s.ok]
            if not usable:
                continue
            if not self._llm_allowed():
                await self._report(SubState.BUDGET)
                break
            await self._report(SubState.NOTING)
            mine = EarlierNotes(params.subquestion, noted_hashes(usable))
            try:
                notes = await run_step(NOTES_STEP, NotesInput(
                    question=params.question, subquestion=params.subquestion, sources=usable,
                    model=params.model, key=notes_name(round_), language=params.language,
                    earlier=list(earlier)), LlmStored)
            except ActivityError as exc:
                if is_cancelled_exception(exc):
                    raise
                result.failed.append(f"notes: {_short(exc)}")
                break
            self._progress.usage = self._progress.usage.add(notes.usage)
            self._progress.notes += 1
            if "quoted from the sources" in notes.summary or FOLLOW_UP_LEFT_OUT in notes.summary:
                result.remarks.append(notes.summary)
            result.notes_keys.append(notes.key)
            earlier.append(mine)
            result.cited_hashes += [h for h in notes.source_hashes if h not in
                                    result.cited_hashes]
            query = notes.extra
        return await self._finish(result)

    def _count_fetched(self, sources: list[Source], result: SubResearchResult) -> list[Source]:
        """Count pages fetched for this sub-question (here or ahead by the parent)."""
        result.failed += count_pages(self._progress, sources)
        return sources

    async def _fetch_batch(self, hits: list[SearchHit],
                           result: SubResearchResult) -> list[Source]:
        """The round's pages in one activity, as many as the page allowance leaves."""
        if not hits:
            return []
        take = hits[: max(self._pages_left(), 0)]
        if len(take) < len(hits):
            result.failed.append("page budget reached: some results were not fetched")
        if not take:
            return []
        await self._report(SubState.FETCHING, passing=True)
        try:
            fetched = await run_step(FETCH_PAGES_STEP, fetch_input(take), FetchPagesOutput)
            sources = fetched.sources
        except ActivityError as exc:
            if is_cancelled_exception(exc):
                raise
            sources = [Source(url=h.url, title=h.title, ok=False, error=_short(exc))
                       for h in take]
        # No progress signal here: the next one (taking notes, the next search, budget
        # or done) follows at once and carries these counts; each signal is a workflow
        # task of the parent.
        self._count_fetched(sources, result)
        return sources

    async def _fetch_all(self, hits: list[SearchHit], result: SubResearchResult) -> list[Source]:
        if not hits:
            return []
        await self._report(SubState.FETCHING)
        slots = asyncio.Semaphore(FETCH_CONCURRENCY_NOWAIT if workflow.patched(NOWAIT_PATCH)
                                  else FETCH_CONCURRENCY)
        sources: list[Source | None] = [None] * len(hits)

        async def one(i: int) -> None:
            async with slots:
                if self._pages_left() <= 0:
                    return
                self._progress.fetched += 1  # claims the page before the await
                try:
                    src = await run_step(FETCH_STEP, FetchInput(url=hits[i].url,
                                                                title=hits[i].title), Source)
                except ActivityError as exc:
                    if is_cancelled_exception(exc):
                        raise
                    src = Source(url=hits[i].url, title=hits[i].title, ok=False,
                                 error=_short(exc))
                if not src.ok:
                    self._progress.fetched -= 1
                    self._progress.failed += 1
                    result.failed.append(f"{src.url}: {src.error}")
                sources[i] = src
                # Every few pages, not each: each signal is an event in two histories.
                tried = self._progress.fetched + self._progress.failed
                if tried % 3 == 0 or not workflow.patched(THROTTLE_PATCH):
                    await self._report()

        await asyncio.gather(*(one(i) for i in range(len(hits))))
        if self._pages_left() <= 0 and any(s is None for s in sources):
            result.failed.append("page budget reached: some results were not fetched")
        return [s for s in sources if s is not None]
