"""The agent's transcript (``activities/agent.py``) rebuilt from the store: each earlier
turn's calls answered by their results in order, a call without a result marked, the
last turns told to finish; a saved answer is returned without asking the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from durable_research.activities.agent import NOT_RUN, AgentActivities
from durable_research.config import Settings
from durable_research.contract.keys import agent_result_name, agent_turn_name
from durable_research.research.agent.transcript import AGENT_SYSTEM
from durable_research.research.agent.types import AgentTurnInput
from durable_research.testing.fake_agent import assistant_message
from tests.support.helpers import env_for

WORKFLOW = "report-1/q1"
PREFIX = "agent/run-1"


@pytest.fixture
def turns(tmp_path: Path) -> AgentActivities:
    return AgentActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path),
                                    llm_model="openai/none", llm_api_base="http://127.0.0.1:9"))


def save_turn(turns: AgentActivities, turn: int, calls: list[str], results: list[str]) -> None:
    """Turn ``turn`` as the activities leave it: the answer, then each result written."""
    env = env_for(WORKFLOW)
    message = assistant_message(turn, [{"name": n, "arguments": {}} for n in calls])
    answer = {"message": message, "model": "openai/none", "usage": {"total_tokens": 3}}
    key = env.run(turns.my_key, agent_turn_name(PREFIX, turn))
    turns.store.put(key, json.dumps(answer).encode())
    for k, text in enumerate(results):
        turns.store.put(env.run(turns.my_key, agent_result_name(PREFIX, turn, k)), text.encode())


async def test_the_transcript_is_rebuilt_from_the_store(turns: AgentActivities) -> None:
    save_turn(turns, 0, ["search_web"], ["Results for 'x'"])
    save_turn(turns, 1, ["read", "read"], ["[1] page"])  # the second read never ran
    params = AgentTurnInput(question="Q?", subquestion="S?", prefix=PREFIX, turn=2,
                            steps_left=1)
    messages = await env_for(WORKFLOW).run(turns.transcript, params)
    assert [m["role"] for m in messages] == [
        "system", "user", "assistant", "tool", "assistant", "tool", "tool", "user"]
    assert messages[0]["content"] == AGENT_SYSTEM
    assert "Sub-question: S?" in messages[1]["content"] and "at most 3 turns" in messages[1][
        "content"]
    assert [m.get("tool_call_id") for m in messages if m["role"] == "tool"] == [
        "call_0_0", "call_1_0", "call_1_1"]
    assert [m["content"] for m in messages if m["role"] == "tool"] == [
        "Results for 'x'", "[1] page", NOT_RUN]
    assert "call done" in messages[-1]["content"]  # the last turn


async def test_the_transcript_is_read_in_one_trip_to_the_store(turns: AgentActivities,
                                                              trips: list[str]) -> None:
    # A deep sub-question's 5th turn made ~28 trips (two per answer and per result), each
    # a wait for the I/O pool and then for the event loop, on the sub-question's chain.
    save_turn(turns, 0, ["search_web"], ["Results for 'x'"])
    save_turn(turns, 1, ["read", "read", "follow"], ["[1] page", "[2] page"])
    save_turn(turns, 2, ["note", "note"], ["Noted from [1].", "Noted from [2]."])
    params = AgentTurnInput(question="Q?", subquestion="S?", prefix=PREFIX, turn=3,
                            steps_left=5)
    messages = await env_for(WORKFLOW).run(turns.transcript, params)
    assert len(trips) == 1
    assert [m["content"] for m in messages if m["role"] == "tool"] == [
        "Results for 'x'", "[1] page", "[2] page", NOT_RUN, "Noted from [1].", "Noted from [2]."]
    assert [m["role"] for m in messages] == ["system", "user"] + [
        "assistant", "tool", "assistant", "tool", "tool", "tool", "assistant", "tool", "tool"]
    trips.clear()  # the first turn has nothing to read
    first = await env_for(WORKFLOW).run(turns.transcript, AgentTurnInput(
        prefix=PREFIX, turn=0, steps_left=5))
    assert not trips and [m["role"] for m in first] == ["system", "user"]


async def test_a_saved_turn_is_not_asked_again(turns: AgentActivities) -> None:
    save_turn(turns, 0, ["search_web"], [])
    # The model's address answers nothing: the saved answer is all there is.
    out = await env_for(WORKFLOW).run(turns.agent_turn, AgentTurnInput(prefix=PREFIX, turn=0))
    assert [c.name for c in out.calls] == ["search_web"] and out.usage.total_tokens == 3
