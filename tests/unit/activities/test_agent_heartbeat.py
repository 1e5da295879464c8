"""When the agent's model turn heartbeats (``activities/agent.py``): as the LLM step, its
first beat when due, not at once. Each beat is a write of the activity's state on the
Temporal server, and a turn answered before the first beat is due costs it none (issue
26, goal 6); a turn still waiting then heartbeats (a dead worker is seen, a cancel heard).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from durable_research.activities import agent
from durable_research.activities.agent import AgentActivities
from durable_research.activities.heartbeat import FIRST_BEAT_SHARE
from durable_research.config import Settings
from durable_research.research.agent.types import AgentTurnInput
from durable_research.workflows.steps import AGENT_TURN_STEP
from tests.support.held_provider import attempt as held_attempt
from tests.support.held_provider import hold_provider


class NoTools:
    """The MCP catalog of a worker with no MCP server."""

    async def tools(self) -> list[Any]:
        return []


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """The provider's answer, released by the test (set: answer at once)."""
    monkeypatch.setattr(agent, "catalog", lambda _servers: NoTools())
    return hold_provider(monkeypatch, agent,
                         SimpleNamespace(content="Done.", tool_calls=None))


def attempt(started_s_ago: float) -> Any:
    """An ``agent_turn`` attempt with its step's heartbeat timeout, started that long ago."""
    return held_attempt("report-1/q1", AGENT_TURN_STEP.heartbeat, started_s_ago)


def turns(tmp_path: Path) -> AgentActivities:
    return AgentActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))


TURN = AgentTurnInput(question="Q?", subquestion="S?", prefix="agent/run-1", turn=0,
                      steps_left=3)


async def test_a_quick_turn_sends_no_heartbeat(provider: asyncio.Event, tmp_path: Path) -> None:
    provider.set()
    env = attempt(0)
    beats: list[Any] = []
    env.on_heartbeat = lambda *details: beats.append(details)
    saved = await env.run(turns(tmp_path)._ask, TURN)
    assert saved["message"]["content"] == "Done." and beats == []


async def test_a_turn_still_waiting_when_the_first_beat_is_due_heartbeats(
        provider: asyncio.Event, tmp_path: Path) -> None:
    # The first beat is due at its share of the timeout after the attempt started: here
    # at once, so the provider answers only once the beat has gone out.
    env = attempt(AGENT_TURN_STEP.heartbeat.total_seconds() * FIRST_BEAT_SHARE)
    beats: list[Any] = []

    def beat(*details: Any) -> None:
        beats.append(details)
        provider.set()

    env.on_heartbeat = beat
    saved = await env.run(turns(tmp_path)._ask, TURN)
    assert saved["message"]["content"] == "Done." and beats == [("agent thinking",)]
