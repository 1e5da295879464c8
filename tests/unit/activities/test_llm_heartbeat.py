"""When an LLM call heartbeats (``activities/llm.py``): each heartbeat is a write of the
activity's state on the Temporal server, so an answer that comes before the first beat is
due costs the server none (issue 26, goal 6: the app's server CPU per report), and a call
still waiting then heartbeats as every other step does (a dead worker is seen, a cancel
heard)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from durable_research.activities import llm
from durable_research.activities.heartbeat import FIRST_BEAT_SHARE
from durable_research.config import Settings
from durable_research.workflows.steps import LLM_STEP
from tests.support.held_provider import attempt as held_attempt
from tests.support.held_provider import hold_provider


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """The provider's answer, released by the test (set: answer at once)."""
    return hold_provider(monkeypatch, llm, SimpleNamespace(content="An answer."))


def attempt(started_s_ago: float) -> Any:
    """An ``llm_call`` attempt with the LLM step's heartbeat timeout, started that long ago."""
    return held_attempt("report-1", LLM_STEP.heartbeat, started_s_ago)


async def test_a_quick_answer_sends_no_heartbeat(provider: asyncio.Event) -> None:
    provider.set()
    env = attempt(0)
    beats: list[Any] = []
    env.on_heartbeat = lambda *details: beats.append(details)
    out = await env.run(llm.complete, Settings(), "openai/m", "", "Q?")
    assert out.text == "An answer." and beats == []


async def test_a_call_still_waiting_when_the_first_beat_is_due_heartbeats(
        provider: asyncio.Event) -> None:
    # The first beat is due at its share of the timeout after the attempt started: here
    # at once, so the provider answers only once the beat has gone out.
    env = attempt(LLM_STEP.heartbeat.total_seconds() * FIRST_BEAT_SHARE)
    beats: list[Any] = []

    def beat(*details: Any) -> None:
        beats.append(details)
        provider.set()

    env.on_heartbeat = beat
    out = await env.run(llm.complete, Settings(), "openai/m", "", "Q?")
    assert out.text == "An answer." and beats == [("waiting for LLM",)]
