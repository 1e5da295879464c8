"""The research agent under a crash: SIGKILL the worker after each sub-question's first
model turn and tool call completed, before its next turn; the report finishes on a new
worker and no completed model turn or tool call is run again."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.client import Client

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.search_server import SearchServer
from durable_research.worker.build import build_worker
from tests.e2e.reports.test_research_crash import children, completed_results, wait_until
from tests.support.helpers import start
from tests.support.processes import kill, spawn_worker

pytestmark = pytest.mark.slow

# The standard preset runs three sub-questions at once.
RUNNING = 3


async def test_worker_killed_between_a_tool_call_and_the_next_turn(
    client: Client, research_settings: Settings, fake_llm: FakeLLM,
    search_server: SearchServer, tmp_path: Path,
) -> None:
    s = replace(research_settings, llm_tool_calling="on")
    search_server.reset()
    blocked = tmp_path / "blocked-turns"
    # The first turn of each running sub-question is real; the second blocks.
    doomed = spawn_worker(s, tmp_path, blocks_after={"agent_turn": (RUNNING, blocked)})
    try:
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["md"], agent="on", max_steps=6)

        async def all_waiting_for_their_second_turn() -> bool:
            return blocked.exists() and len(blocked.read_text().split()) == RUNNING

        await wait_until(all_waiting_for_their_second_turn, timeout=120)
        before = {child: await completed_results(client, child, "agent_tool")
                  for child in await children(client, handle.id)}
        searched_before = list(search_server.queries)
    finally:
        kill(doomed)
    assert len(before) == RUNNING and all(len(done) == 1 for done in before.values())
    assert fake_llm.tool_turns == RUNNING and len(searched_before) == RUNNING
    async with build_worker(client, s):
        result = await asyncio.wait_for(handle.result(), timeout=180)
    assert result.status == "completed" and result.references
    # No model turn was asked twice (each transcript answered once) ...
    assert fake_llm.turns_repeated() == 0
    # ... and no tool call ran again: each search reached the server once, and each
    # sub-question's history completed each call (by its result key) once.
    for query in searched_before:
        assert search_server.queries.count(query) == 1, query
    for child in before:
        keys = [d["result"]["key"] for d in await completed_results(client, child, "agent_tool")]
        assert len(keys) == len(set(keys)) > 1, keys
        assert keys[0] == before[child][0]["result"]["key"]
