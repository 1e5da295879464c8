"""A round's pages in one activity, and the order of sub-question progress snapshots.

``fetch_pages`` runs for real (fixture site on loopback, directory store) under
Temporal's ActivityEnvironment with the attempt numbers a retry would have.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import replace

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, is_cancelled_exception
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from durable_research.activities.research import FETCH_FAILED, ResearchActivities
from durable_research.client.reports import cancel_report
from durable_research.config import Settings
from durable_research.contract.report import ReportInput
from durable_research.contract.research import ResearchProgress, SubProgress, SubState
from durable_research.research import prompts
from durable_research.research.types import FetchInput, FetchPagesInput
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.ports import free_port
from durable_research.worker.build import build_worker
from durable_research.workflows.budget import BudgetTracker
from durable_research.workflows.research import Research
from durable_research.workflows.steps import FETCH_PAGES_STEP
from tests.support.helpers import env_for, start, wait_for_completed_activity


def attempt(n: int) -> ActivityEnvironment:
    return env_for("prefetch-report/q1", attempt=n, retry_policy=FETCH_PAGES_STEP.retry)


async def test_a_flaky_page_is_retried_alone_and_reported_on_the_last_attempt(
    research_settings: Settings, fixture_site: FixtureSite
) -> None:
    good = fixture_site.articles()[:2]
    flaky = f"http://127.0.0.1:{free_port()}/down.html"  # nothing listens
    batch = FetchPagesInput(pages=[FetchInput(url=p.url, title=p.title) for p in good] +
                            [FetchInput(url=flaky, title="Down")])
    async with aclosing(ResearchActivities(research_settings)) as activities:
        with pytest.raises(ApplicationError) as failed:
            await attempt(1).run(activities.fetch_pages, batch)
        assert failed.value.type == FETCH_FAILED and "1 of 3 pages" in str(failed.value)
        last = FETCH_PAGES_STEP.retry.maximum_attempts
        out = await attempt(last).run(activities.fetch_pages, batch)
        assert [s.url for s in out.sources] == [p.url for p in good] + [flaky]
        assert [s.ok for s in out.sources] == [True, True, False]
        assert "fetching" in out.sources[2].error and out.sources[0].content_hash
        # The good pages were kept by the first attempt: the retry did not fetch them again.
        for page in good:
            assert fixture_site.hits("/" + page.url.split("/", 3)[3]) == 1


async def test_a_page_with_slow_headers_costs_the_round_nothing_else(
    research_settings: Settings, fixture_site: FixtureSite
) -> None:
    """Issue 25 #7: the dripping page times out at its own deadline; the good page fetched
    with it is kept (and not fetched again by the retry)."""
    settings = replace(research_settings, fetch_timeout_s=1.0)
    good = fixture_site.articles()[0]
    drip = fixture_site.url("/drip-headers")
    batch = FetchPagesInput(pages=[FetchInput(url=good.url, title=good.title),
                                   FetchInput(url=drip, title="Drip")])
    async with aclosing(ResearchActivities(settings)) as activities:
        with pytest.raises(ApplicationError) as failed:
            await asyncio.wait_for(attempt(1).run(activities.fetch_pages, batch), 20)
        assert failed.value.type == FETCH_FAILED and "1 of 2 pages" in str(failed.value)
        out = await attempt(FETCH_PAGES_STEP.retry.maximum_attempts).run(
            activities.fetch_pages, batch)
        assert [s.ok for s in out.sources] == [True, False]
        assert "timed out" in out.sources[1].error
        assert fixture_site.hits("/" + good.url.split("/", 3)[3]) == 1


async def test_a_batch_of_unusable_pages_is_a_result_not_a_failure(
    research_settings: Settings, fixture_site: FixtureSite
) -> None:
    batch = FetchPagesInput(pages=[FetchInput(url=fixture_site.url("/missing"), title="gone"),
                                   FetchInput(url=fixture_site.url("/image.png"), title="png")])
    async with aclosing(ResearchActivities(research_settings)) as activities:
        out = await attempt(1).run(activities.fetch_pages, batch)
    assert [s.ok for s in out.sources] == [False, False]
    assert all(s.error for s in out.sources)


def test_an_older_progress_snapshot_never_undoes_a_newer_one() -> None:
    """Progress signals are not awaited, so they may arrive out of order."""
    progress = ResearchProgress()
    research = Research(ReportInput(prompt="q"), "q", progress, BudgetTracker(),
                        log=lambda _m: None, set_step=lambda _s: None)
    progress.subs = [SubProgress(index=0, subquestion="a")]
    noting = SubProgress(index=0, state=SubState.NOTING, fetched=5, seq=4)
    fetched = SubProgress(index=0, state=SubState.FETCHING, fetched=5, seq=3)
    research.on_progress(noting)
    research.on_progress(fetched)
    assert progress.subs[0].state == SubState.NOTING and research.budget.child_pages[0] == 5
    # Children that did not number their snapshots are taken in arrival order, as before.
    research.on_progress(SubProgress(index=0, state=SubState.DONE))
    assert progress.subs[0].state == SubState.DONE



async def test_a_report_cancelled_while_gathering_ahead_ends_cancelled(
    client: Client, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    """Cancelled while the parent gathers the 4th sub-question's first round: the report
    and its running sub-questions end as cancelled, nothing is left running."""
    fake_llm.configure(task_delays={prompts.TASK_NOTES: 3.0})
    async with build_worker(client, research_settings):
        handle = await start(client, research_settings, prompt="Tell me about tardigrades.",
                             depth="standard", formats=["md"])
        await wait_for_completed_activity(handle, "search", timeout=60)
        await cancel_report(client, handle.id)
        with pytest.raises(WorkflowFailureError) as failed:
            await asyncio.wait_for(handle.result(), timeout=60)
        assert is_cancelled_exception(failed.value.cause)
        for i in (1, 2, 3, 4):
            child = client.get_workflow_handle(f"{handle.id}/q{i}")
            try:
                described = await child.describe()
            except RPCError:
                continue  # never started
            deadline = asyncio.get_running_loop().time() + 30
            while described.status == WorkflowExecutionStatus.RUNNING:
                assert asyncio.get_running_loop().time() < deadline, f"q{i} still running"
                await asyncio.sleep(0.2)
                described = await child.describe()
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
