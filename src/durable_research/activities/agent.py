"""The ``agent_turn`` activity: one model turn of the research agent, paid once.

The transcript the model sees is rebuilt from the artifact store (the opening prompt,
each earlier turn's answer and each tool's result), so the history carries only keys.
The answer is saved before it is returned: an attempt that dies after the provider
answered leaves it there, and the retried or rescheduled turn returns it unpaid.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Any

from temporalio import activity

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.llm import completion_kwargs, sendable
from durable_research.activities.storage import WithStore
from durable_research.contract.keys import agent_result_name, agent_turn_name
from durable_research.contract.llm import Usage
from durable_research.llm.calls import classify_llm_error, load_litellm, usage_of
from durable_research.llm.clients import acompletion
from durable_research.llm.prompts import in_language
from durable_research.research.agent import transcript as words
from durable_research.research.agent.registry import REGISTRY
from durable_research.research.agent.types import AgentTurnInput, AgentTurnOutput, ToolCall
from durable_research.research.mcp_client import catalog
from durable_research.store import ArtifactStore, get_if_any

# The model's text when it calls no tool, kept in history (its beginning).
TEXT_CHARS = 2_000
NOT_RUN = "(this call was not run)"


def saved_turns(store: ArtifactStore, folder: str, turns: int
                ) -> list[tuple[dict[str, Any], list[str]]]:
    """The answers of turns ``0..turns-1`` saved under ``folder`` (the agent's, a key of
    this run), each with its calls' results (:data:`NOT_RUN` for a call without one); a
    turn not saved is left out (the workflow only counts turns it was given). Blocking."""
    found = []
    for turn in range(turns):
        data = get_if_any(store, agent_turn_name(folder, turn))
        if data is None:
            continue
        message = json.loads(data.decode("utf-8", errors="replace"))["message"]
        results = []
        for k in range(len(message.get("tool_calls") or [])):
            text = get_if_any(store, agent_result_name(folder, turn, k))
            results.append(NOT_RUN if text is None else text.decode("utf-8", errors="replace"))
        found.append((message, results))
    return found


class AgentActivities(WithStore):
    """The agent's model turns through the worker's LLM settings."""

    async def transcript(self, params: AgentTurnInput) -> list[dict[str, Any]]:
        """The messages of turn ``params.turn``: prompt, earlier answers, tool results."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": in_language(words.AGENT_SYSTEM, params.language)},
            {"role": "user", "content": words.agent_prompt(
                params.question, params.subquestion, params.turn + params.steps_left)}]
        # One trip to the I/O pool for the whole rebuild: a deep sub-question's 5th turn
        # made ~28 (two per answer and per result), each a wait for a thread and then for
        # the event loop, on the sub-question's chain between two model calls.
        turns = await self.in_store(saved_turns, self.store, self.my_key(params.prefix),
                                    params.turn) if params.turn else []
        for message, results in turns:
            messages.append(message)
            messages += [{"role": "tool", "tool_call_id": call["id"], "content": text}
                         for call, text in zip(message.get("tool_calls") or [], results,
                                               strict=True)]
        if hint := words.last_turn_hint(params.steps_left):
            messages.append({"role": "user", "content": hint})
        # Tool results quote pages and local files: a lone surrogate there is refused by
        # the provider's client (llm.sendable).
        return [{**m, "content": sendable(m["content"])} if isinstance(m.get("content"), str)
                else m for m in messages]

    @activity.defn(name="agent_turn")
    async def agent_turn(self, params: AgentTurnInput) -> AgentTurnOutput:
        """Ask the model for its next tool calls (or its last words)."""
        memo = self.my_key(agent_turn_name(params.prefix, params.turn))
        saved = await self.load_json(memo)
        if saved is None:
            saved = await self._ask(params)
            await self.save_json(memo, saved)
        else:
            activity.logger.info("agent turn answered from the store (paid by an earlier "
                                 "attempt)")
        message = saved["message"]
        calls = [ToolCall(id=c["id"], name=c["function"]["name"],
                          arguments=c["function"]["arguments"] or "{}")
                 for c in message.get("tool_calls") or []]
        return AgentTurnOutput(calls=calls, text=(message.get("content") or "")[:TEXT_CHARS],
                               model=saved["model"], usage=Usage(**saved["usage"]),
                               mcp_tools=list(saved.get("mcp_tools", [])))

    async def _ask(self, params: AgentTurnInput) -> dict[str, Any]:
        """One paid completion with the tools offered; the answer as it is stored."""
        litellm = await load_litellm()
        kwargs = completion_kwargs(self.settings, params.model, "", "")
        kwargs["messages"] = await self.transcript(params)
        kwargs["tools"] = [REGISTRY[name].openai() for name in params.tools]
        # The worker's MCP tools (listed once per process) join the built-in ones.
        mcp = await with_heartbeats(catalog(self.settings.mcp_server_list).tools(),
                                    detail="listing MCP tools")
        kwargs["tools"] += [tool.openai() for tool in mcp]
        model = kwargs["model"]
        activity.logger.info("agent turn %d model=%s attempt=%d", params.turn, model,
                             activity.info().attempt)
        try:
            # The first beat when it is due, as the LLM step's (activities/llm.py): each
            # beat is a write on the server, and a turn answered within 2 s costs it none.
            response = await with_heartbeats(acompletion(litellm, **kwargs),
                                             detail="agent thinking")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every provider error is classified
            raise classify_llm_error(exc, model) from exc
        answer = response.choices[0].message
        calls = [{"id": c.id or f"call_{params.turn}_{k}", "type": "function",
                  "function": {"name": c.function.name or "",
                               "arguments": c.function.arguments or "{}"}}
                 for k, c in enumerate(answer.tool_calls or [])]
        message: dict[str, Any] = {"role": "assistant", "content": answer.content or None}
        if calls:
            message["tool_calls"] = calls
        return {"message": message, "model": model, "usage": asdict(usage_of(response)),
                "mcp_tools": [tool.name for tool in mcp]}
