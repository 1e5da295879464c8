"""The fake LLM's judge requests answered by an upstream model (``judge_upstream``): the
request the product sends through litellm reaches the upstream whole, under the upstream's
model name; the upstream's verdicts come back; other requests stay the fake's. The
upstream here is a second fake LLM (no model in tests)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.exceptions import NotFoundError

from durable_research.activities.checking import parse_verdicts
from durable_research.activities.llm import completion_kwargs
from durable_research.config import Settings
from durable_research.contract.llm import AnswerSchema
from durable_research.llm.clients import acompletion
from durable_research.research import prompts
from durable_research.research.claims import Relation
from durable_research.testing.fake_forward import Upstream
from durable_research.testing.fake_llm import FakeLLM

CLAIM = "The date and time functions work in local time unless you add the 'utc' modifier."
EXCERPT = "The date and time functions use UTC or zulu time internally."
# The upstream's answer, which the fake judge (shared words) would never give.
VERDICT = json.dumps({"verdicts": [{"id": 1, "verdict": "contradicts"}]})


@pytest.fixture
def pair() -> Iterator[tuple[FakeLLM, FakeLLM]]:
    """The fake LLM the product calls, and the upstream its judge requests go to."""
    upstream = FakeLLM(reply=VERDICT).start()
    # The upstream answers the judge's prompt with its reply as it is: a model's verdicts.
    upstream.configure(plain_tasks={prompts.TASK_JUDGE})
    fake = FakeLLM().start()
    try:
        yield fake, upstream
    finally:
        fake.stop()
        upstream.stop()


async def ask(fake: FakeLLM, system: str, prompt: str, schema: AnswerSchema | None) -> str:
    """One call as the product makes it (litellm's async API, the worker's settings for the
    fake, the loop's HTTP clients closed after it). litellm's sync API left an event loop
    of its service logger and the clients' sockets open, collected in a later test
    (unraisable ResourceWarnings that failed the run)."""
    settings = Settings(llm_model="openai/fake-model", llm_api_key="k",
                        llm_api_base=fake.api_base)
    kwargs = completion_kwargs(settings, settings.llm_model, system, prompt, schema)
    response = await acompletion(litellm, **kwargs)
    return str(response.choices[0].message.content or "")


async def test_a_judge_request_is_answered_by_the_upstream(pair: tuple[FakeLLM, FakeLLM]) -> None:
    fake, upstream = pair
    fake.configure(judge_upstream=Upstream(upstream.api_base, "real-judge", "secret"))
    judged = prompts.judge_prompt([(1, CLAIM, EXCERPT)])
    answer = await ask(fake, prompts.JUDGE_SYSTEM, judged, AnswerSchema.JUDGE)
    assert parse_verdicts(answer) == {1: Relation.CONTRADICTS}
    [sent] = upstream.sent()
    # The product's request, whole: system prompt, user prompt and the answer's schema.
    assert sent.system == prompts.JUDGE_SYSTEM and sent.user == judged
    [schema] = upstream.schemas_by_task[prompts.TASK_JUDGE]
    assert schema and fake.schemas_by_task[prompts.TASK_JUDGE] == [schema]
    # Under the upstream's name for its model, with its key.
    [got] = fake.forwarded()
    assert got.model == "real-judge" and upstream.keys_seen == {"Bearer secret"}
    assert got.text == VERDICT and got.prompt_tokens == sent.prompt_tokens


async def test_other_requests_stay_the_fakes(pair: tuple[FakeLLM, FakeLLM]) -> None:
    fake, upstream = pair
    fake.configure(judge_upstream=Upstream(upstream.api_base, "real-judge"))
    plan = await ask(fake, prompts.PLAN_SYSTEM, prompts.plan_prompt("What is WAL?", 2),
               AnswerSchema.PLAN)
    assert "subquestions" in plan
    assert upstream.sent() == [] and fake.forwarded() == []


async def test_an_upstream_failure_reaches_the_product_as_one(
        pair: tuple[FakeLLM, FakeLLM]) -> None:
    fake, upstream = pair
    # The upstream does not serve a model of this name (404, as OpenAI answers).
    fake.configure(judge_upstream=Upstream(upstream.api_base, "unknown-model"))
    with pytest.raises(NotFoundError):
        await ask(fake, prompts.JUDGE_SYSTEM, prompts.judge_prompt([(1, CLAIM, EXCERPT)]),
            AnswerSchema.JUDGE)
    assert fake.forwarded() == []
