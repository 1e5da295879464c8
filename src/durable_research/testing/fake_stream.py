"""The fake LLM's streamed answers: a chat completion as OpenAI's server-sent events.

A request with ``"stream": true`` is answered, as OpenAI does, with
``chat.completion.chunk`` events (``data: {...}`` lines, a blank line after each): the
first delta carries the role, the next ones the text a few words at a time (or each tool
call whole), the last one the ``finish_reason``; with ``stream_options.include_usage``
every chunk has ``"usage": null`` and one more chunk with no choices carries the usage.
The stream ends with ``data: [DONE]``. Clients that only stream (gpt-researcher's report
writer, through langchain) need it; the answer's text and usage are the same as unstreamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# Words per content delta: a real model sends a token or a few; one word per event would
# only make the benchmarks' streams longer without testing anything more.
WORDS_PER_CHUNK = 4
DONE = b"data: [DONE]\n\n"
CONTENT_TYPE = "text/event-stream"
_WORD = re.compile(r"\s*\S+\s*")


def wants_stream(body: dict[str, Any]) -> bool:
    """Whether a chat-completion request asks for a streamed answer."""
    return body.get("stream") is True


def wants_usage(body: dict[str, Any]) -> bool:
    """Whether a streamed request asks for the usage chunk (``stream_options``)."""
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def pieces(text: str, words: int = WORDS_PER_CHUNK) -> list[str]:
    """``text`` cut into pieces of ``words`` words that join back to exactly ``text``."""
    found = _WORD.findall(text)
    if "".join(found) != text:  # only whitespace, or nothing: one piece as it is
        return [text] if text else []
    return ["".join(found[i:i + words]) for i in range(0, len(found), words)]


def _tool_deltas(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One delta per tool call, whole (OpenAI may split the arguments; whole is valid)."""
    return [{"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                             "function": dict(call["function"])}]}
            for i, call in enumerate(calls)]


def chunks(completion: dict[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of an unstreamed ``completion``, in order."""
    choice = completion["choices"][0]
    message = choice["message"]
    head = {key: completion[key] for key in ("id", "created", "model")}
    head["object"] = "chat.completion.chunk"
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra}

    yield chunk({"role": "assistant", "content": ""})
    for text in pieces(message.get("content") or ""):
        yield chunk({"content": text})
    for delta in _tool_deltas(message.get("tool_calls") or []):
        yield chunk(delta)
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        yield {**head, "choices": [], "usage": completion["usage"]}


def events(completion: dict[str, Any], include_usage: bool) -> Iterator[bytes]:
    """The server-sent events of a streamed answer, ``data: [DONE]`` last."""
    for obj in chunks(completion, include_usage):
        yield b"data: " + json.dumps(obj).encode() + b"\n\n"
    yield DONE
