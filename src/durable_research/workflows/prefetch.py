"""Gathering a waiting sub-question's first round while the running ones wait for the LLM.

Sub-questions run a few at a time; without this, each later one started by searching
and fetching after a slot freed, and that time sat on the report's critical path
(bench goal 6). The parent now searches and fetches the waiting ones' first round, one
sub-question at a time, once a running sub-question is taking notes (the machine is
then mostly waiting), and hands the result to the child in its input.

Only without a page cap: with one, a sub-question's page allowance is decided when it
starts, and pages fetched ahead could spend another's share. Deterministic workflow
code; every side effect is an activity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from enum import StrEnum

from temporalio import workflow
from temporalio.exceptions import ActivityError, is_cancelled_exception

from durable_research.workflows.rounds import count_pages, fetch_input, pick_new, search_input
from durable_research.workflows.steps import FETCH_PAGES_STEP, SEARCH_STEP, run_step

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.research import SubProgress, SubState
    from durable_research.research.types import (
        FetchPagesOutput,
        FirstRound,
        SearchOutput,
        SubResearchInput,
    )

PREFETCH_PATCH = "prefetch-waiting-subquestions"
# Gathering waits until every running sub-question has its first round's pages.
PREFETCH_AFTER_FIRST_PATCH = "prefetch-after-first-rounds"
# A sub-question in these states (and without notes yet) is still gathering its first round.
_GATHERING = (SubState.PENDING, SubState.SEARCHING, SubState.FETCHING)


def first_rounds_in(subs: Sequence[SubProgress], started: Sequence[bool]) -> bool:
    """Whether every started sub-question is past its first round's search and pages (taking
    notes, on a later round, or ended), as the parent last heard."""
    return all(s.notes > 0 or s.state not in _GATHERING
               for s, on in zip(subs, started, strict=True) if on)


class Ahead(StrEnum):
    """Where one waiting sub-question's first round stands."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    # The sub-question started before its turn came: it gathers its own first round.
    SKIPPED = "skipped"


class Prefetcher:
    """First rounds gathered ahead for the sub-questions that wait for a slot."""

    def __init__(self, waiting: list[int], subs: list[SubProgress]) -> None:
        """``waiting``: the indexes that start only after a slot frees, in start order."""
        self.state = {i: Ahead.PENDING for i in waiting}
        self.found: dict[int, FirstRound] = {}
        self.subs = subs
        self.task: asyncio.Task[None] | None = None

    def start(self, template: SubResearchInput, subquestions: list[str],
              ready: Callable[[], bool]) -> None:
        """Gather in the background once ``ready()`` (a running sub-question noting)."""
        self.task = asyncio.ensure_future(self._run(template, subquestions, ready))

    async def take(self, index: int) -> FirstRound | None:
        """The first round of ``index`` if gathered (waits for it while it runs)."""
        if index not in self.state:
            return None
        if self.state[index] == Ahead.PENDING:
            self.state[index] = Ahead.SKIPPED
        elif self.state[index] == Ahead.RUNNING:  # no wait otherwise: no extra yield
            await workflow.wait_condition(lambda: self.state[index] != Ahead.RUNNING)
        return self.found.pop(index, None)

    async def stop(self) -> None:
        """Cancel what is still running (the research ended or was cancelled); a bug in
        the gathering surfaces here instead of being lost with the task."""
        if self.task is None:
            return
        if not self.task.done():
            self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        except ActivityError as exc:
            if not is_cancelled_exception(exc):
                raise

    async def _run(self, template: SubResearchInput, subquestions: list[str],
                   ready: Callable[[], bool]) -> None:
        await workflow.wait_condition(ready)
        for index in list(self.state):
            if self.state[index] != Ahead.PENDING:
                continue
            self.state[index] = Ahead.RUNNING
            try:
                found = await self.gather(template, subquestions[index], index)
                if found is not None:
                    self.found[index] = found
            finally:
                self.state[index] = Ahead.DONE

    async def gather(self, template: SubResearchInput, subquestion: str,
                     index: int) -> FirstRound | None:
        """Search and fetch the first round of sub-question ``index`` now (None: it
        failed; the sub-question then tries again itself)."""
        shown = self.subs[index]
        try:
            shown.state = SubState.SEARCHING
            found = await run_step(SEARCH_STEP, search_input(template, subquestion),
                                   SearchOutput)
            _local, web = pick_new(found.hits, set(), template.pages)
            shown.searched = len(found.hits)
            sources = []
            if web:
                shown.state = SubState.FETCHING
                fetched = await run_step(FETCH_PAGES_STEP, fetch_input(web), FetchPagesOutput)
                sources = fetched.sources
                count_pages(shown, sources)  # the child reports the failures
            return FirstRound(hits=found.hits, sources=sources)
        except ActivityError as exc:
            if is_cancelled_exception(exc):
                raise
            return None  # the sub-question tries again itself and reports the failure
        finally:
            if shown.state in (SubState.SEARCHING, SubState.FETCHING):
                shown.state = SubState.PENDING
