"""Which calls a model kind is asked, decided once from the table of measured models, and
how long its answers may be."""

from __future__ import annotations

import pytest

from durable_research.activities.llm import answer_cap, completion_kwargs
from durable_research.config import Settings
from durable_research.contract.llm import AnswerSchema
from durable_research.llm.capabilities import FULL, SMALL_OFFLINE, capabilities_of
from durable_research.research.answers import response_format

EMBEDDED = "openai/smollm2-135m-instruct"


@pytest.mark.parametrize(("model", "expected"), [
    (EMBEDDED, SMALL_OFFLINE),
    ("ollama/SmolLM2-135M-Instruct", SMALL_OFFLINE),  # the same model served elsewhere
    ("openai/gpt-4o-mini", FULL),
    ("ollama/llama3.2", FULL),
    ("fake-model", FULL),
])
def test_measured_models_are_looked_up_by_name(model: str, expected: object) -> None:
    assert capabilities_of(model) == expected


def test_the_embedded_model_is_asked_only_what_it_does_usefully() -> None:
    able = capabilities_of(EMBEDDED)
    assert not able.writes_notes and not able.writes_sections and not able.judges
    assert able.json_tokens and able.why
    assert FULL.writes_notes and FULL.writes_sections and FULL.judges
    assert FULL.json_tokens == 0


@pytest.mark.parametrize(("configured", "model_limit", "cap"), [
    (0, 0, 0), (600, 0, 600), (0, 300, 300), (600, 300, 300), (200, 300, 200)])
def test_an_answer_is_capped_by_the_smaller_limit(configured: int, model_limit: int,
                                                   cap: int) -> None:
    assert answer_cap(configured, model_limit) == cap


def test_the_embedded_models_json_answers_are_bounded_by_its_own_cap() -> None:
    settings = Settings(llm_model=EMBEDDED, llm_api_key="k",
                        llm_api_base="http://127.0.0.1:9/v1", llm_max_tokens=600)
    kwargs = completion_kwargs(settings, EMBEDDED, "s", "p", AnswerSchema.NOTES)
    assert kwargs["max_tokens"] == SMALL_OFFLINE.json_tokens
    assert kwargs["response_format"] == response_format(AnswerSchema.NOTES,
                                                        SMALL_OFFLINE.json_tokens)
    # Prose (a quick answer) keeps the worker's cap: it runs ~360 tokens.
    assert completion_kwargs(settings, EMBEDDED, "s", "p")["max_tokens"] == 600


def test_other_models_keep_the_workers_cap() -> None:
    capped = Settings(llm_model="openai/gpt-4o-mini", llm_api_key="k", llm_max_tokens=600)
    assert completion_kwargs(capped, capped.llm_model, "s", "p")["max_tokens"] == 600
    free = Settings(llm_model="openai/gpt-4o-mini", llm_api_key="k")
    assert "max_tokens" not in completion_kwargs(free, free.llm_model, "s", "p")
