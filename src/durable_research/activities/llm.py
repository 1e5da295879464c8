"""The ``llm_call`` activity: one chat completion through litellm.

Temporal owns retries (litellm is called with ``num_retries=0``); this module
only classifies failures so the workflow's RetryPolicy does the right thing.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.paid_once import InFlight, Paid
from durable_research.activities.storage import WithStore
from durable_research.config import Settings
from durable_research.contract.keys import llm_answer_name, llm_text_name
from durable_research.contract.llm import AnswerSchema, LlmCallInput, LlmCallOutput, Usage
from durable_research.errors import FailureType
from durable_research.llm.calls import (
    allowed_model,
    classify_llm_error,
    credentials,
    grammar_engine,
    load_litellm,
    takes_schema,
    usage_of,
)
from durable_research.llm.capabilities import capabilities_of
from durable_research.llm.clients import acompletion
from durable_research.research.answers import answer_schema, response_format
from durable_research.store import content_hash

# The citation judge answers at temperature 0: a checker whose verdict on the same claim
# and passage is a draw prints a claim "verified" in one run and "disputed" in the next
# (Qwen2.5-Coder-1.5B at the embedded server's 0.2 called a decoy's official sentence
# "contradicts" in one run and "supports" in the next; a hosted model's default is 1).
# Models that take only their default temperature (OpenAI's reasoning models) are asked at
# it: litellm drops the value for them instead of refusing the call (``drop_params``; the
# other parameters sent are ones every provider takes, or gated as response_format is).
JUDGE_SAMPLING: dict[str, Any] = {"temperature": 0.0, "drop_params": True}


# A code point no UTF-8 encoder takes: a lone surrogate (a file name decoded with
# ``surrogateescape``, a source's text that kept one). A str never holds a valid pair.
_SURROGATE = re.compile("[\ud800-\udfff]")


def sendable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD: the provider's client refused to
    encode it, and litellm called that a server error, retried until the report failed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def completion_kwargs(settings: Settings, model: str, system: str, prompt: str,
                      schema: AnswerSchema | None = None) -> dict[str, Any]:
    """The ``litellm.completion`` arguments of one call with the worker's settings.

    ``schema``: the answer is JSON of that shape; sent as ``response_format`` when
    :func:`takes_schema` says the provider constrains its answer with it (the prompt asks
    for the JSON in any case).

    Raises:
        ApplicationError: ``model`` is not allowed on this worker (non-retryable).
    """
    model = allowed_model(settings, model)
    messages = []
    if system:
        messages.append({"role": "system", "content": sendable(system)})
    messages.append({"role": "user", "content": sendable(prompt)})
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "num_retries": 0,
        "timeout": settings.llm_timeout_s,
    }
    kwargs.update(credentials(settings, model))
    cap = answer_cap(settings.llm_max_tokens,
                     capabilities_of(model).json_tokens if schema is not None else 0)
    if cap:
        kwargs["max_tokens"] = cap
    api_base = kwargs.get("api_base", "")
    if schema is not None and takes_schema(settings, model, api_base):
        kwargs["response_format"] = response_format(schema, cap,
                                                    grammar_engine(model, api_base))
    if schema == AnswerSchema.JUDGE:
        kwargs.update(JUDGE_SAMPLING)
    return kwargs


def answer_cap(configured: int, model_limit: int) -> int:
    """The max tokens of an answer: the smaller of the worker's cap and the model's own
    (0 where neither is set)."""
    return min(c for c in (configured, model_limit) if c) if configured or model_limit else 0


async def complete(
    settings: Settings, model: str, system: str, prompt: str, detail: str = "waiting for LLM",
    schema: AnswerSchema | None = None,
) -> LlmCallOutput:
    """One chat completion with the worker's provider settings, heartbeating meanwhile.

    ``schema``: the answer is JSON of that shape, asked for with ``response_format`` where
    the provider supports it (see :func:`~durable_research.llm.calls.takes_schema`). The
    caller still validates the answer: a provider without support only read the prompt.

    Raises:
        ApplicationError: Classified for the RetryPolicy (see :func:`classify_llm_error`).
    """
    litellm = await load_litellm()  # before completion_kwargs, which asks it about the model
    kwargs = completion_kwargs(settings, model, system, prompt, schema)
    model = kwargs["model"]
    structured = "response_format" in kwargs
    activity.logger.info("llm call model=%s attempt=%d schema=%s", model,
                         activity.info().attempt, schema if structured else "-")
    try:
        # The first beat when it is due (activities/heartbeat.py), not at once: each beat
        # is a write on the server, and an answer within 2 s (a fast model, most notes)
        # then costs it none; a slower call beats from then on as every step does.
        response = await with_heartbeats(acompletion(litellm, **kwargs), detail=detail)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every provider error is classified
        raise classify_llm_error(exc, model, structured) from exc
    text = response.choices[0].message.content or ""
    if not text.strip():
        # An empty answer is a provider hiccup worth one more attempt, not a report.
        raise ApplicationError(f"LLM {model!r} returned an empty answer",
                               type=FailureType.EMPTY_ANSWER)
    return LlmCallOutput(text=text, model=model, usage=usage_of(response))


def stop_paying() -> bool:
    """Whether the current attempt's cancel stops its call in flight: its run no longer
    needs the answer (the workflow asked, or was reset), or the worker is stopping (a
    call left running would outlive the event loop). A cancel because the server timed
    the attempt out or lost it does not: the call finishes and is kept for the next one."""
    details = activity.cancellation_details()
    return details is not None and (details.cancel_requested or details.reset
                                    or details.worker_shutdown)


# Answers longer than this (bytes) go to the artifact store: Temporal refuses payloads
# over 2 MB, and a refused result would be paid for again on every retry.
LARGE_ANSWER_BYTES = 256 * 1024
PREVIEW_CHARS = 20_000


class LlmActivities(WithStore):
    """Runs LLM calls with the worker's provider settings."""

    _in_flight: InFlight | None = None

    @property
    def in_flight(self) -> InFlight:
        """This worker's calls in flight, by memo key (activities/paid_once.py)."""
        if self._in_flight is None:
            self._in_flight = InFlight()
        return self._in_flight

    def _answer_key(self, params: LlmCallInput) -> str:
        """Where this run keeps the answer to this exact call (same run, same inputs)."""
        # str(), as the f-string before contract/keys: the same key for every run id.
        return self.my_key(llm_answer_name(str(activity.info().workflow_run_id), params.model,
                                           params.system, params.prompt))

    @activity.defn(name="llm_call")
    async def llm_call(self, params: LlmCallInput) -> LlmCallOutput:
        """Run one chat completion and return its text, model, tokens and cost.

        The answer is saved in the store before it is returned: an attempt that dies after
        the provider answered (worker killed, result lost in a server outage, a heartbeat
        timeout under load) leaves it there, and the next attempt, or the step scheduled
        again, returns it instead of paying the provider a second time.
        """
        memo = self._answer_key(params)
        # An earlier attempt of this call still in flight on this worker (timed out by
        # the server, not yet here) pays for both.
        return await self.in_flight.once(memo, lambda paid: self._pay_once(params, memo, paid),
                                         stop=stop_paying)

    async def _pay_once(self, params: LlmCallInput, memo: str, paid: Paid) -> LlmCallOutput:
        """The memo's answer, or the provider's, saved before it is returned."""
        saved = await self.load_json(memo)
        if saved is not None:
            activity.logger.info("llm call answered from the store (paid by an earlier attempt)")
            return LlmCallOutput(text=saved["text"], model=saved["model"],
                                 usage=Usage(**saved["usage"]), text_key=saved["text_key"])
        try:
            schema = answer_schema(params.answer_schema) if params.answer_schema else None
        except ValueError as exc:  # a workflow of a newer version: not worth retrying
            raise ApplicationError(str(exc),
                                   type=FailureType.UNKNOWN_SCHEMA, non_retryable=True) from None
        out = await complete(self.settings, params.model, params.system, params.prompt,
                             schema=schema)
        paid()  # from here on the answer is kept, whoever stops waiting for it
        data = out.text.encode("utf-8")
        if len(data) > LARGE_ANSWER_BYTES:
            key = self.my_key(llm_text_name(content_hash(data)))
            await self.in_store(self.store.put, key, data, keep=True)
            out.text_key = key
            out.text = out.text[:PREVIEW_CHARS] + "\n\n[... the full answer is in the store]"
        await self.save_json(memo, {"text": out.text, "model": out.model,
                                    "usage": asdict(out.usage), "text_key": out.text_key},
                             keep=True)
        return out
