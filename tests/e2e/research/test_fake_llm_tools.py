"""The fake LLM speaks the OpenAI tool-calling protocol to litellm: tool_calls in the
answer, tool results accepted, scripted turns first, repeated transcripts counted."""

from __future__ import annotations

import json
from typing import Any

import litellm

from durable_research.llm.clients import acompletion
from durable_research.research.agent.registry import REGISTRY, offered
from durable_research.research.agent.transcript import AGENT_SYSTEM, agent_prompt
from durable_research.testing.fake_llm import FakeLLM


async def turn(fake: FakeLLM, messages: list[dict[str, Any]]) -> Any:
    """One tool-calling completion through litellm (its real OpenAI path), its client
    closed after it, as the app's calls are (``llm.clients``)."""
    response = await acompletion(
        litellm, model="openai/fake-model", api_base=fake.api_base, api_key="sk-fake",
        messages=messages, tools=[REGISTRY[n].openai() for n in offered(True, False)],
        num_retries=0)
    return response.choices[0]


async def test_tool_calls_round_trip_through_litellm(fake_llm: FakeLLM) -> None:
    fake_llm.script_tools({"calls": [{"name": "search_web", "arguments": {"query": "moss"}}]})
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": AGENT_SYSTEM},
        {"role": "user", "content": agent_prompt("Q?", "What is moss?", 5)}]
    first = await turn(fake_llm, messages)
    assert first.finish_reason == "tool_calls"
    call = first.message.tool_calls[0]
    assert (call.function.name, json.loads(call.function.arguments)) == (
        "search_web", {"query": "moss"})
    messages += [first.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "No results for 'moss'."}]
    second = await turn(fake_llm, messages)  # the script is used up: the default researcher
    assert second.message.tool_calls[0].function.name == "done"
    assert fake_llm.tool_turns == 2 and fake_llm.turns_repeated() == 0
    await turn(fake_llm, messages)  # the same transcript again: a repeated turn
    assert fake_llm.turns_repeated() == 1
