"""The fake LLM's tool-calling turns (``testing/fake_agent.py``): the default researcher
and scripted turns, on transcripts in the formats the agent's activities write."""

from __future__ import annotations

import json
from typing import Any

from durable_research.research.agent.registry import ToolName, offered
from durable_research.research.agent.transcript import (
    AGENT_SYSTEM,
    agent_prompt,
    hit_line,
    hits_text,
    links_text,
    part_text,
)
from durable_research.testing.fake_agent import agent_reply, assistant_message

SUB = "How do tardigrades survive drying out?"
PAGE = ("Tardigrades are tiny animals. When they dry out, tardigrades survive by "
        "forming a tun state with almost no water. Nothing else is known here at all.")


def body(messages: list[dict[str, Any]], web: bool = True) -> dict[str, Any]:
    """A tool-calling request with the agent's system prompt and ``messages`` after it."""
    tools = [{"type": "function", "function": {"name": n}} for n in offered(web, not web)]
    return {"tools": tools, "messages": [
        {"role": "system", "content": AGENT_SYSTEM},
        {"role": "user", "content": agent_prompt("Q?", SUB, 8)}, *messages]}


def calls(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, arguments) of an assistant message's tool calls."""
    return [(c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in message.get("tool_calls", [])]


def answered(turn: int, made: list[dict[str, Any]], results: list[str]
             ) -> list[dict[str, Any]]:
    """The assistant message making ``made`` and the tool messages answering it."""
    message = assistant_message(turn, made)
    return [message, *({"role": "tool", "tool_call_id": c["id"], "content": r}
                       for c, r in zip(message["tool_calls"], results, strict=True))]


def test_the_default_researcher_searches_reads_notes_and_stops() -> None:
    first = agent_reply(body([]), None)
    assert calls(first) == [(ToolName.SEARCH_WEB, {"query": SUB})]
    assert first["tool_calls"][0]["id"] == "call_0_0"
    hits = hits_text(SUB, [hit_line(1, "Water bears", "http://a/1"),
                           hit_line(2, "Tuns", "http://a/2"),
                           hit_line(3, "Other", "http://a/3")])
    history = answered(0, [{"name": ToolName.SEARCH_WEB, "arguments": {"query": SUB}}], [hits])
    second = agent_reply(body(history), None)
    assert calls(second) == [(ToolName.READ, {"source": 1, "part": 1}),
                             (ToolName.READ, {"source": 2, "part": 1})]
    history += answered(1, [{"name": n, "arguments": a} for n, a in calls(second)],
                        [part_text(1, "Water bears", "http://a/1", PAGE, 1),
                         "Source [2] could not be read: 404"])
    third = calls(agent_reply(body(history), None))
    assert [name for name, _a in third] == [ToolName.NOTE, ToolName.NOTE]
    for _name, args in third:  # quotes copied from the page read, citing its number
        assert args["source"] == 1 and args["quote"] in PAGE
    history += answered(2, [{"name": n, "arguments": a} for n, a in third], ["noted", "noted"])
    assert calls(agent_reply(body(history), None)) == [
        (ToolName.DONE, {"summary": "2 facts noted."})]


def test_it_follows_the_first_link_no_search_found() -> None:
    hits = hits_text(SUB, [hit_line(1, "Water bears", "http://a/1")])
    history = answered(0, [{"name": ToolName.SEARCH_WEB, "arguments": {"query": SUB}}], [hits])
    page = part_text(1, "Water bears", "http://a/1", PAGE, 1) + links_text(
        ["http://a/1", "http://a/tuns"])
    history += answered(1, [{"name": ToolName.READ, "arguments": {"source": 1, "part": 1}}],
                        [page])
    assert calls(agent_reply(body(history), None)) == [
        (ToolName.FOLLOW, {"url": "http://a/tuns"})]
    history += answered(2, [{"name": ToolName.FOLLOW, "arguments": {"url": "http://a/tuns"}}],
                        [part_text(2, "Tuns", "http://a/tuns", "Short page.", 1)])
    notes = calls(agent_reply(body(history), None))  # the links are not quoted
    assert notes and all(a["quote"] in PAGE for _n, a in notes)


def test_without_the_web_it_searches_the_documents() -> None:
    assert calls(agent_reply(body([], web=False), None))[0][0] == ToolName.SEARCH_DOCUMENTS


def test_nothing_found_ends_the_research() -> None:
    history = answered(0, [{"name": ToolName.SEARCH_WEB, "arguments": {"query": SUB}}],
                       [hits_text(SUB, [])])
    assert calls(agent_reply(body(history), None))[0][0] == ToolName.DONE


def test_a_scripted_turn_is_given_as_written() -> None:
    scripted = {"calls": [{"name": "launch_rockets", "arguments": {"n": 3}}]}
    assert calls(agent_reply(body([]), scripted)) == [("launch_rockets", {"n": 3})]
    prose = agent_reply(body([]), {"content": "I think I am done."})
    assert prose == {"role": "assistant", "content": "I think I am done."}


def test_the_default_researcher_calls_each_mcp_tool_once_and_notes_its_answer() -> None:
    request = body([])
    request["tools"] += [
        {"type": "function", "function": {"name": "mcp_t_lookup", "parameters": {
            "type": "object", "properties": {"topic": {"type": "string"}},
            "required": ["topic"]}}},
        {"type": "function", "function": {"name": "mcp_t_count", "parameters": {
            "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}]
    first = calls(agent_reply(request, None))
    # Text arguments are the sub-question; a tool needing a number is left alone.
    assert first == [(ToolName.SEARCH_WEB, {"query": SUB}), ("mcp_t_lookup", {"topic": SUB})]
    answer = part_text(1, "t.lookup", "mcp://t/lookup", PAGE, 1)
    request["messages"] += answered(0, [{"name": n, "arguments": a} for n, a in first],
                                    [hits_text(SUB, []), answer])
    noted = calls(agent_reply(request, None))
    assert noted and all(n == ToolName.NOTE and a["source"] == 1 for n, a in noted)
    assert all(a["quote"] in PAGE for _n, a in noted)


def test_a_search_the_worker_cannot_run_makes_it_search_the_other_way() -> None:
    """A worker with no web search refuses search_web (activities/tools): the default
    researcher then searches the documents, as a model told so would."""
    both = body([])
    both["tools"] = [{"type": "function", "function": {"name": n}} for n in offered(True, True)]
    assert calls(agent_reply(both, None)) == [(ToolName.SEARCH_WEB, {"query": SUB})]
    both["messages"] += answered(0, [{"name": ToolName.SEARCH_WEB, "arguments": {"query": SUB}}],
                                 ["Not run: this worker has no web search; search the "
                                  "documents with search_documents instead."])
    assert calls(agent_reply(both, None)) == [(ToolName.SEARCH_DOCUMENTS, {"query": SUB})]
