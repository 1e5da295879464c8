"""The fake LLM's streamed answers (``testing/fake_stream.py``): OpenAI's chunk events
carry exactly the unstreamed answer, usage last only when asked, ``[DONE]`` at the end."""

from __future__ import annotations

import json
from typing import Any

from durable_research.testing.fake_stream import (
    DONE,
    chunks,
    events,
    pieces,
    wants_stream,
    wants_usage,
)

TEXT = "# Findings\n\nTardigrades  survive the vacuum of space.\nThey live for decades. "
USAGE = {"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19}


def completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    """An unstreamed answer as the fake LLM builds it."""
    return {"id": "chatcmpl-fake-1", "object": "chat.completion", "created": 5,
            "model": "fake-model", "usage": USAGE,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}]}


def test_pieces_join_back_to_the_text() -> None:
    assert "".join(pieces(TEXT)) == TEXT
    assert [len(p.split()) for p in pieces(TEXT + "More.")] == [4, 4, 4, 1]
    assert pieces("") == [] and pieces("  \n") == ["  \n"]


def test_content_chunks_rebuild_the_message_then_finish() -> None:
    got = list(chunks(completion({"role": "assistant", "content": TEXT}), False))
    assert {c["object"] for c in got} == {"chat.completion.chunk"}
    assert {c["id"] for c in got} == {"chatcmpl-fake-1"}
    assert got[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in got)
    assert text == TEXT
    assert [c["choices"][0]["finish_reason"] for c in got][-2:] == [None, "stop"]
    assert all("usage" not in c for c in got)


def test_usage_comes_in_a_last_chunk_without_choices_when_asked() -> None:
    got = list(chunks(completion({"role": "assistant", "content": TEXT}), True))
    assert got[-1]["choices"] == [] and got[-1]["usage"] == USAGE
    assert all(c["usage"] is None for c in got[:-1])


def test_tool_calls_are_streamed_one_delta_each() -> None:
    calls = [{"id": f"call_{i}", "type": "function",
              "function": {"name": "search_web", "arguments": json.dumps({"query": q})}}
             for i, q in enumerate(["moss", "lichen"])]
    got = list(chunks(completion({"role": "assistant", "content": None,
                                  "tool_calls": calls}, "tool_calls"), False))
    deltas = [c["choices"][0]["delta"]["tool_calls"][0] for c in got
              if "tool_calls" in c["choices"][0]["delta"]]
    assert [(d["index"], d["id"], d["function"]["arguments"]) for d in deltas] == [
        (0, "call_0", '{"query": "moss"}'), (1, "call_1", '{"query": "lichen"}')]
    assert got[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_events_are_data_lines_ending_with_done() -> None:
    raw = list(events(completion({"role": "assistant", "content": "Hi there."}), True))
    assert raw[-1] == DONE == b"data: [DONE]\n\n"
    for event in raw[:-1]:
        assert event.startswith(b"data: ") and event.endswith(b"\n\n")
        json.loads(event.removeprefix(b"data: "))


def test_only_a_true_stream_flag_streams_and_usage_needs_its_option() -> None:
    assert wants_stream({"stream": True}) and not wants_stream({"stream": "yes"})
    assert not wants_stream({})
    assert wants_usage({"stream_options": {"include_usage": True}})
    assert not wants_usage({"stream": True}) and not wants_usage({"stream_options": True})
