"""An LLM call is paid once per worker even when its attempts overlap (``activities/llm.py``,
issue 25's "never pay for the same LLM call twice"): the server can time attempt 1 out (its
heartbeats did not reach it during an outage) and hand attempt 2 to the same worker while
attempt 1 still waits for the provider or for its save (bench/chaos.py --seed 23: two
answers paid twice by one worker 0.5 s apart after a 35 s outage). Attempt 2 waits for
attempt 1's payment; an answer received is kept even when its attempt is cancelled, and a
call whose attempt the server timed out finishes and is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio.activity import ActivityCancellationDetails

from durable_research.activities import llm, pools, storage
from durable_research.activities.llm import LlmActivities
from durable_research.config import Settings
from durable_research.contract.llm import LlmCallInput, LlmCallOutput, Usage
from tests.support.helpers import env_for

T = TypeVar("T")

CALL = LlmCallInput(model="openai/m", system="", prompt="What do tardigrades eat?")


class Provider:
    """A provider whose answers the test releases; counts what it was paid for."""

    def __init__(self) -> None:
        self.calls = 0
        self.asked = asyncio.Event()  # a call reached the provider
        self.release = asyncio.Event()

    async def complete(self, *_args: Any, **_kwargs: Any) -> LlmCallOutput:
        self.calls += 1
        self.asked.set()
        await self.release.wait()
        return LlmCallOutput(text="Moss and algae.", model="openai/m", usage=Usage())


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Provider:
    held = Provider()
    monkeypatch.setattr(llm, "complete", held.complete)
    return held


def activities(tmp_path: Path) -> LlmActivities:
    return LlmActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))


async def test_a_second_attempt_on_the_same_worker_waits_for_the_first_ones_answer(
        tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> None:
    async def inline(func: Callable[..., T], *args: Any) -> T:
        return func(*args)

    # Store calls on the loop: attempt 2 then reaches the provider, if it goes there, in
    # a bounded number of loop turns (no thread to wait for).
    monkeypatch.setattr(storage, "in_io", inline)
    acts = activities(tmp_path)
    first = asyncio.create_task(env_for("report-1", attempt=1).run(acts.llm_call, CALL))
    await provider.asked.wait()
    # Attempt 1 still waits for the provider when the server hands out attempt 2.
    second = asyncio.create_task(env_for("report-1", attempt=2).run(acts.llm_call, CALL))
    for _ in range(50):
        if provider.calls > 1:
            break
        await asyncio.sleep(0)
    provider.release.set()
    answers = await asyncio.gather(first, second)
    assert [a.text for a in answers] == ["Moss and algae.", "Moss and algae."]
    assert provider.calls == 1 and len(acts.in_flight) == 0


async def test_a_failed_call_fails_every_attempt_waiting_and_the_next_one_pays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    refused = asyncio.Event()

    async def refusing(*_args: Any, **_kwargs: Any) -> LlmCallOutput:
        calls.append(1)
        if len(calls) == 1:
            await refused.wait()
            raise RuntimeError("rate limited")
        return LlmCallOutput(text="Moss.", model="openai/m", usage=Usage())

    monkeypatch.setattr(llm, "complete", refusing)
    acts = activities(tmp_path)
    waiting = [asyncio.create_task(env_for("report-1", attempt=n).run(acts.llm_call, CALL))
               for n in (1, 2)]
    while not calls:
        await asyncio.sleep(0)
    refused.set()
    failures = await asyncio.gather(*waiting, return_exceptions=True)
    assert [str(f) for f in failures] == ["rate limited", "rate limited"]
    # The failure is not remembered: the next attempt asks the provider again.
    again = await env_for("report-1", attempt=3).run(acts.llm_call, CALL)
    assert again.text == "Moss." and len(calls) == 2


async def test_an_answer_is_kept_when_its_attempt_is_cancelled_before_the_save(
        tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> None:
    # The save waits for a thread of the I/O pool (a burst of store calls after an
    # outage); the attempt is cancelled meanwhile (its heartbeat timed out).
    saving = asyncio.Event()
    pool_free = asyncio.Event()
    real = pools.in_io  # the thread the save waits for, on whichever pool

    async def busy_pool(func: Callable[..., T], *args: Any) -> T:
        if getattr(func, "__name__", "") == "put":
            saving.set()
            await pool_free.wait()
        return await real(func, *args)

    # Wherever the save runs (answers have threads of their own: the next test).
    monkeypatch.setattr(storage, "in_io", busy_pool)
    monkeypatch.setattr(storage, "in_keep", busy_pool, raising=False)
    acts = activities(tmp_path)
    env = env_for("report-1", attempt=1)
    first = asyncio.create_task(env.run(acts.llm_call, CALL))
    provider.release.set()
    await saving.wait()
    env.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    pool_free.set()
    again = await env_for("report-1", attempt=2).run(acts.llm_call, CALL)
    assert again.text == "Moss and algae." and provider.calls == 1


@pytest.mark.parametrize("why", [ActivityCancellationDetails(cancel_requested=True),
                                 ActivityCancellationDetails(worker_shutdown=True)],
                         ids=["report cancelled", "worker stopping"])
async def test_a_cancel_for_good_stops_the_call_still_waiting_for_the_provider(
        tmp_path: Path, provider: Provider, why: ActivityCancellationDetails) -> None:
    # Nobody needs the answer (the report was cancelled), or the loop ends with the worker.
    acts = activities(tmp_path)
    env = env_for("report-1", attempt=1)
    first = asyncio.create_task(env.run(acts.llm_call, CALL))
    await provider.asked.wait()
    env.cancel(why)
    with pytest.raises(asyncio.CancelledError):
        await first
    # Nothing was answered, so nothing is kept: the next attempt asks again.
    provider.release.set()
    again = await env_for("report-1", attempt=2).run(acts.llm_call, CALL)
    assert again.text == "Moss and algae." and provider.calls == 2


async def test_an_answer_is_saved_without_waiting_behind_the_io_pool(
        tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every store call on the I/O pool waits (a burst after an outage): until the
    # answer's save lands, a kill of this worker makes the next attempt pay again.
    pool_free = asyncio.Event()
    real = pools.in_io

    async def backlog(func: Callable[..., T], *args: Any) -> T:
        await pool_free.wait()
        return await real(func, *args)

    acts = activities(tmp_path)
    first = asyncio.create_task(env_for("report-1", attempt=1).run(acts.llm_call, CALL))
    await provider.asked.wait()  # the memo was read before the backlog
    monkeypatch.setattr(storage, "in_io", backlog)
    provider.release.set()
    # The bound only keeps the old code's wait (behind the backlog) from hanging the test.
    done, _ = await asyncio.wait({first}, timeout=30)
    pool_free.set()
    assert first in done and first.result().text == "Moss and algae."


async def test_an_attempt_timed_out_by_the_server_leaves_its_call_to_finish_and_be_kept(
        tmp_path: Path, provider: Provider) -> None:
    # bench/chaos.py --seed 23: the server timed attempt 1 out by heartbeat right after an
    # outage while the provider was sending its answer; the cancel reached the worker
    # before the answer was read, so the answer was dropped and attempt 2 paid again.
    acts = activities(tmp_path)
    env = env_for("report-1", attempt=1)
    first = asyncio.create_task(env.run(acts.llm_call, CALL))
    await provider.asked.wait()
    env.cancel(ActivityCancellationDetails(timed_out=True))
    with pytest.raises(asyncio.CancelledError):
        await first
    provider.release.set()
    again = await env_for("report-1", attempt=2).run(acts.llm_call, CALL)
    assert again.text == "Moss and algae." and provider.calls == 1
