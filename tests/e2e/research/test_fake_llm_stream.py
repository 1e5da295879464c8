"""The fake LLM streams over real HTTP as OpenAI does: the ``openai`` client and litellm's
streaming read the same text and usage the unstreamed answer has, and the fake counts a
streamed call like any other. A benchmark's answers to prompts that are not ours
(``configure(answer=...)``) come before the reply template, streamed or not; embeddings
come in the size a client asks for, and a size the fake cannot give is a 400."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from openai import AsyncOpenAI, BadRequestError
from openai.types.chat import ChatCompletionUserMessageParam

from durable_research.llm.clients import loop_clients
from durable_research.testing.fake_llm import FakeLLM

PROMPT = "Tell me about tardigrades."
MESSAGES: list[ChatCompletionUserMessageParam] = [{"role": "user", "content": PROMPT}]


async def test_openai_client_reads_the_stream_and_its_usage(fake_llm: FakeLLM) -> None:
    client = AsyncOpenAI(base_url=fake_llm.api_base, api_key="sk-fake", max_retries=0)
    async with client:
        plain = await client.chat.completions.create(model="fake-model", messages=MESSAGES)
        stream = await client.chat.completions.create(
            model="fake-model", messages=MESSAGES, stream=True,
            stream_options={"include_usage": True})
        got = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
    assert text == plain.choices[0].message.content
    assert len(got) > 3  # role, several pieces of text, finish, usage
    assert [c.choices[0].finish_reason for c in got if c.choices][-1] == "stop"
    assert got[-1].usage is not None and plain.usage is not None
    assert got[-1].usage.model_dump() == plain.usage.model_dump()
    assert fake_llm.successes == 2
    assert [s.prompt_tokens for s in fake_llm.sent()] == [len(PROMPT.split())] * 2


# litellm's stream wrapper (pinned in uv.lock) copies each chunk's attributes, reading
# pydantic's model_fields on the instance, which pydantic 2.11 deprecates. Not ours, and
# only on litellm's streaming path, which the app does not take.
@pytest.mark.filterwarnings(
    "ignore:Accessing the 'model_\\w*fields' attribute on the instance:DeprecationWarning")
async def test_litellm_streaming_rebuilds_the_answer(fake_llm: FakeLLM) -> None:
    # The stream is read while the loop's clients are in use: leaving loop_clients closes
    # them, and a stream read after that loses its connection.
    async with loop_clients():
        stream = await litellm.acompletion(
            model="openai/fake-model", api_base=fake_llm.api_base, api_key="sk-fake",
            messages=MESSAGES, stream=True, stream_options={"include_usage": True},
            num_retries=0)
        got = [chunk async for chunk in stream]
    whole: Any = litellm.stream_chunk_builder(got, messages=list(MESSAGES))
    assert whole is not None
    sent = fake_llm.sent()
    assert len(sent) == 1
    assert PROMPT in whole.choices[0].message.content
    assert whole.usage.prompt_tokens == sent[0].prompt_tokens
    assert whole.usage.completion_tokens == sent[0].completion_tokens


async def test_a_benchmarks_answers_come_before_the_reply_template(fake_llm: FakeLLM) -> None:
    fake_llm.configure(answer=lambda system, user: '["a", "b"]' if "queries" in user else None)
    client = AsyncOpenAI(base_url=fake_llm.api_base, api_key="sk-fake", max_retries=0)
    async with client:
        stream = await client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": "Write 2 queries"}],
            stream=True)
        answered = "".join([c.choices[0].delta.content or "" async for c in stream])
        other = await client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert answered == '["a", "b"]'
    assert other.choices[0].message.content is not None
    assert f"FAKE-LLM answer to: {PROMPT}" in other.choices[0].message.content
    fake_llm.reset()  # forgets the answers too
    assert fake_llm.sent() == []


async def test_embeddings_in_the_size_asked_and_a_bad_size_refused(fake_llm: FakeLLM) -> None:
    client = AsyncOpenAI(base_url=fake_llm.api_base, api_key="sk-fake", max_retries=0)
    async with client:
        got = await client.embeddings.create(model="fake-embedding", input=["a b", "c"],
                                             dimensions=16)
        with pytest.raises(BadRequestError, match="dimensions must be"):
            await client.embeddings.create(model="fake-embedding", input="a", dimensions=0)
    assert [len(d.embedding) for d in got.data] == [16, 16]
    assert (fake_llm.embedding_calls, fake_llm.embedded_texts, fake_llm.embedded_tokens) == (
        1, 2, 3)
