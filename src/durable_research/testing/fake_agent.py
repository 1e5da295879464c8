"""The fake LLM's side of the OpenAI tool-calling protocol: scripted or default turns.

A request that offers ``tools`` is answered with ``tool_calls``. Without a script the
answer follows a sensible researcher (:func:`default_turn`): search the sub-question,
read the two best hits, follow the first link they list that no search found, note the
sentences of each page read that share most words with
the sub-question (quotes copied from the text, so they pass the quote check), then call
``done``. The worker's MCP tools, when offered, are each called once with the first search
(text arguments: the sub-question) and their answers noted like pages. A scripted turn
(:func:`scripted_turn`) says exactly which calls to make.
"""

from __future__ import annotations

import json
import re
from typing import Any

from durable_research.mcp_servers import TOOL_PREFIX
from durable_research.research.agent.registry import ToolName
from durable_research.research.agent.transcript import HIT_RE, LINKS_HEAD, NOT_RUN, PART_RE
from durable_research.research.extractive import sentences
from durable_research.research.passages import tokens

READS = 2
NOTES_PER_SOURCE = 2


def _calls_and_results(messages: list[dict[str, Any]]
                       ) -> list[tuple[str, dict[str, Any], str]]:
    """Every call of the transcript: (tool name, arguments, result text)."""
    results = {m.get("tool_call_id"): str(m.get("content") or "") for m in messages
               if m.get("role") == "tool"}
    found = []
    for m in messages:
        for call in m.get("tool_calls") or [] if m.get("role") == "assistant" else []:
            fn = call.get("function", {})
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except ValueError:
                args = {}
            found.append((str(fn.get("name", "")), args, results.get(call.get("id"), "")))
    return found


def _subquestion(messages: list[dict[str, Any]]) -> str:
    for m in messages:
        if m.get("role") == "user":
            found = re.search(r"^Sub-question: (.*)$", str(m.get("content") or ""), re.M)
            if found:
                return found.group(1)
    return ""


def _best_sentences(text: str, wanted: set[str]) -> list[str]:
    """The sentences of ``text`` sharing most words with ``wanted`` (ties in text order)."""
    candidates = [s for s in sentences(text, min_words=1) if 30 <= len(s) <= 300
                  and "..." not in s]
    ranked = sorted(range(len(candidates)),
                    key=lambda i: (-len(wanted.intersection(tokens(candidates[i]))), i))
    return [candidates[i] for i in sorted(ranked[:NOTES_PER_SOURCE])]


def _mcp_calls(schemas: dict[str, dict[str, Any]], sub: str) -> list[dict[str, Any]]:
    """One call of each MCP tool offered, its required text arguments the sub-question."""
    calls = []
    for name, schema in schemas.items():
        props = schema.get("properties") or {}
        required = schema.get("required") or []
        if name.startswith(TOOL_PREFIX) and all(
                props.get(p, {}).get("type") == "string" for p in required):
            calls.append({"name": name, "arguments": {p: sub for p in required}})
    return calls


def default_turn(tools: set[str], messages: list[dict[str, Any]],
                 schemas: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The next calls of a sensible researcher: ``[{"name": ..., "arguments": {...}}]``
    (``schemas``: the offered tools' parameters, by name; the worker's MCP tools are
    called once each with the first search)."""
    sub = _subquestion(messages)
    done = _calls_and_results(messages)
    names = [name for name, _a, _r in done]
    if not any(n.startswith("search_") for n in names):
        tool = ToolName.SEARCH_WEB if ToolName.SEARCH_WEB in tools else ToolName.SEARCH_DOCUMENTS
        return [{"name": tool, "arguments": {"query": sub}},
                *_mcp_calls({n: v for n, v in (schemas or {}).items() if n not in names}, sub)]
    searched = [(n, r) for n, _a, r in done if n.startswith("search_")]
    if all(r.startswith(NOT_RUN) for _n, r in searched):
        # The worker could not run it (no web search there): the other search, if offered.
        others = [t for t in (ToolName.SEARCH_WEB, ToolName.SEARCH_DOCUMENTS)
                  if t in tools and t not in names]
        if others:
            return [{"name": others[0], "arguments": {"query": sub}}]
    read = {int(a.get("source", 0)) for n, a, _r in done if n == ToolName.READ}
    if not read:
        hits = [int(h) for n, _a, r in done if n.startswith("search_") for h in HIT_RE.findall(r)]
        todo = list(dict.fromkeys(hits))[:READS]
        if todo:
            return [{"name": ToolName.READ, "arguments": {"source": h, "part": 1}} for h in todo]
    if ToolName.FOLLOW in tools and ToolName.FOLLOW not in names and ToolName.NOTE not in names:
        urls = {u for _n, _a, r in done for u in re.findall(r"^    (\S+)$", r, re.M)}
        listed = [u for _n, _a, r in done if LINKS_HEAD in r
                  for u in re.findall(r"^- (\S+)$", r.split(LINKS_HEAD, 1)[1], re.M)]
        fresh = [u for u in listed if u not in urls]
        if fresh:
            return [{"name": ToolName.FOLLOW, "arguments": {"url": fresh[0]}}]
    if ToolName.NOTE not in names:
        wanted = set(tokens(sub))
        calls = []
        for n, _a, result in done:
            header = PART_RE.search(result)
            if not (n in (ToolName.READ, ToolName.FOLLOW) or n.startswith(TOOL_PREFIX)) \
                    or header is None:
                continue
            body = result.split("\n\n", 1)[1] if "\n\n" in result else ""
            body = body.split(LINKS_HEAD, 1)[0]
            for sentence in _best_sentences(body, wanted):
                calls.append({"name": ToolName.NOTE, "arguments": {
                    "source": int(header.group(1)), "quote": sentence, "claim": sentence}})
        if calls:
            return calls
    notes = names.count(ToolName.NOTE)
    return [{"name": ToolName.DONE, "arguments": {"summary": f"{notes} facts noted."}}]


def assistant_message(turn: int, calls: list[dict[str, Any]], content: str = ""
                      ) -> dict[str, Any]:
    """An OpenAI assistant message making ``calls`` (ids ``call_<turn>_<k>``)."""
    message: dict[str, Any] = {"role": "assistant", "content": content or None}
    if calls:
        message["tool_calls"] = [
            {"id": f"call_{turn}_{k}", "type": "function",
             "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}}
            for k, c in enumerate(calls)]
    return message


def agent_reply(body: dict[str, Any], scripted: dict[str, Any] | None) -> dict[str, Any]:
    """The assistant message answering a request with ``tools``: the scripted turn
    (``{"calls": [...]}`` or ``{"content": "..."}``) or the default one."""
    messages = body.get("messages", [])
    turn = sum(1 for m in messages if m.get("role") == "assistant")
    if scripted is not None:
        return assistant_message(turn, scripted.get("calls", []), scripted.get("content", ""))
    schemas = {t.get("function", {}).get("name", ""): t.get("function", {}).get("parameters")
               or {} for t in body.get("tools", [])}
    return assistant_message(turn, default_turn(set(schemas), messages, schemas))
