"""Structured output: the answer schemas, which providers are sent them, lenient validation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litellm import exceptions as llm_errors
from litellm.utils import get_optional_params

from durable_research.activities.llm import JUDGE_SAMPLING, completion_kwargs
from durable_research.activities.writing import valid_notes
from durable_research.config import Settings, load_settings
from durable_research.contract.llm import AnswerSchema
from durable_research.contract.research import MAX_SUBQUESTIONS, MIN_SUBQUESTIONS
from durable_research.errors import ConfigError
from durable_research.llm.calls import classify_llm_error, grammar_engine
from durable_research.research import prompts
from durable_research.research.answers import (
    MAX_NOTES,
    PLAN_GRAMMAR_CHARS,
    JudgeAnswer,
    NotesAnswer,
    answer_schema,
    response_format,
    schema_of,
)
from durable_research.research.claims import Relation
from durable_research.research.plan import MIN_SUBQUESTION_CHARS, Plan, parse_plan
from durable_research.research.types import Source
from durable_research.testing.fake_research import research_reply
from durable_research.testing.fixture_pages import ARTICLES
from tests.support.llm_errors import llm_error

# Keywords OpenAI's strict mode accepts besides the structural ones (its documented subset).
STRICT_KEYWORDS = {"type", "properties", "required", "additionalProperties", "items", "$defs",
                   "$ref", "title", "description", "enum", "minItems", "maxItems"}


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every sub-schema of ``node`` (itself included)."""
    if isinstance(node, list):
        return [o for item in node for o in _objects(item)]
    if not isinstance(node, dict):
        return []
    found = [node]
    for key, value in node.items():
        if key in ("properties", "$defs"):
            found += [o for sub in value.values() for o in _objects(sub)]
        elif key in ("items", "anyOf"):
            found += _objects(value)
    return found


@pytest.mark.parametrize("name", list(AnswerSchema))
def test_schemas_fit_openai_strict_mode(name: AnswerSchema) -> None:
    """Strict mode rejects a schema with an optional property, an open object, a default
    or an unsupported keyword; every schema we send passes those rules."""
    schema = schema_of(name)
    for sub in _objects(schema):
        assert set(sub) <= STRICT_KEYWORDS, set(sub) - STRICT_KEYWORDS
        if sub.get("type") == "object":
            assert sub["additionalProperties"] is False
            assert sorted(sub["required"]) == sorted(sub["properties"])
    fmt = response_format(name)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"] == {"name": name.value, "schema": schema, "strict": True}
    assert answer_schema(name.value) is name


def test_schema_shapes() -> None:
    plan = schema_of(AnswerSchema.PLAN)["properties"]["subquestions"]
    assert (plan["type"], plan["items"], plan["minItems"], plan["maxItems"]) == (
        "array", {"type": "string"}, 3, 8)
    notes = schema_of(AnswerSchema.NOTES)
    note = notes["$defs"]["NoteAnswer"]["properties"]
    assert {k: v["type"] for k, v in note.items()} == {
        "source": "integer", "quote": "string", "point": "string"}
    assert notes["properties"]["follow_up"]["type"] == "string"
    judge = schema_of(AnswerSchema.JUDGE)
    verdict = judge["$defs"]["JudgeVerdict"]["properties"]["verdict"]
    assert verdict == {"$ref": "#/$defs/Relation"}
    assert judge["$defs"]["Relation"]["enum"] == [r.value for r in Relation]
    with pytest.raises(ValueError, match="unknown answer schema 'verdict'"):
        answer_schema("verdict")


def test_notes_list_is_bounded_by_the_token_cap() -> None:
    """Under a 600-token cap (the embedded model's) only 4 notes fit; no cap: MAX_NOTES."""
    def cap(max_tokens: int) -> int:
        fmt = response_format(AnswerSchema.NOTES, max_tokens)
        return int(fmt["json_schema"]["schema"]["properties"]["notes"]["maxItems"])

    assert (cap(600), cap(0), cap(100_000), cap(10)) == (4, MAX_NOTES, MAX_NOTES, 1)


def _settings(model: str, api_base: str = "", mode: str = "auto") -> Settings:
    return Settings(llm_model=model, llm_api_key="k", llm_api_base=api_base,
                    llm_structured_output=mode)


@pytest.mark.parametrize(
    ("model", "api_base", "mode", "sent", "grammar"),
    [
        ("openai/gpt-4o-mini", "", "auto", True, False),  # litellm: supports_response_schema
        ("openai/gpt-3.5-turbo", "", "auto", False, False),  # litellm: no schema support
        ("openai/gpt-3.5-turbo", "http://127.0.0.1:9/v1", "auto", False, False),  # known: no
        ("openai/fake-model", "http://127.0.0.1:9/v1", "auto", True, True),  # compatible server
        ("openai/smollm2-135m-instruct", "http://127.0.0.1:9/v1", "auto", True, True),  # llama.cpp
        ("openai/fake-model", "", "auto", False, False),  # unknown model at OpenAI itself
        ("ollama/llama3.2", "", "auto", True, True),
        ("ollama_chat/llama3.2", "http://127.0.0.1:11434", "auto", True, True),
        ("anthropic/claude-3-5-sonnet-20240620", "", "auto", False, False),
        ("anthropic/claude-3-5-sonnet-20240620", "", "on", True, False),  # mapped to a tool
        ("cohere/command-r", "", "on", False, False),  # its adapter refuses response_format
        ("openai/gpt-4o-mini", "", "off", False, False),
        ("openai/fake-model", "http://127.0.0.1:9/v1", "off", False, True),
    ],
)
def test_which_providers_get_the_schema(model: str, api_base: str, mode: str, sent: bool,
                                        grammar: bool) -> None:
    """Which calls carry the schema, and to which of them a plan's strings are bounded (a
    grammar engine's; OpenAI's strict mode refuses string lengths)."""
    settings = replace(_settings(model, api_base, mode), llm_max_tokens=300)
    kwargs = completion_kwargs(settings, model, "system", "prompt", AnswerSchema.PLAN)
    assert ("response_format" in kwargs) is sent
    assert grammar_engine(model, api_base) is grammar
    if sent:
        assert kwargs["response_format"] == response_format(AnswerSchema.PLAN, 300, grammar)
        items = kwargs["response_format"]["json_schema"]["schema"]["properties"]["subquestions"]
        assert ("maxLength" in items["items"]) is grammar
    assert "response_format" not in completion_kwargs(settings, model, "system", "prompt")


def test_a_grammar_engines_plan_fits_its_token_cap() -> None:
    """Under a cap, a grammar engine's plan may hold only as many sub-questions of bounded
    length as the cap has tokens for (never fewer than a plan needs); without a cap, or for
    a hosted model, the schema has no string lengths and allows 8."""
    def plan(max_tokens: int, grammar: bool) -> dict[str, Any]:
        fmt = response_format(AnswerSchema.PLAN, max_tokens, grammar)
        return dict(fmt["json_schema"]["schema"]["properties"]["subquestions"])

    under_300 = plan(300, True)
    assert (under_300["minItems"], under_300["maxItems"]) == (MIN_SUBQUESTIONS, 5)
    assert under_300["items"] == {"type": "string", "minLength": MIN_SUBQUESTION_CHARS,
                                  "maxLength": PLAN_GRAMMAR_CHARS}
    assert plan(100, True)["maxItems"] == MIN_SUBQUESTIONS
    assert plan(10_000, True)["maxItems"] == MAX_SUBQUESTIONS
    assert plan(0, True) == plan(300, False) == plan(0, False) == {
        "type": "array", "items": {"type": "string"}, "minItems": MIN_SUBQUESTIONS,
        "maxItems": MAX_SUBQUESTIONS, "title": "Subquestions"}


def test_the_embedded_models_token_cap_bounds_its_notes() -> None:
    settings = replace(_settings("openai/smollm2-135m-instruct", "http://127.0.0.1:9/v1"),
                       llm_max_tokens=600)
    kwargs = completion_kwargs(settings, settings.llm_model, "s", "p", AnswerSchema.NOTES)
    # Its own 300-token cap is below the worker's (tests/unit/llm/test_capabilities.py).
    assert kwargs["response_format"] == response_format(AnswerSchema.NOTES, 300)


@pytest.mark.parametrize("provider", ["ollama", "ollama_chat"])
def test_litellm_hands_the_schema_to_ollama_as_format(provider: str) -> None:
    """The reason Ollama is in auto's list: litellm turns the schema into Ollama's
    ``format`` (a litellm upgrade that stops doing so fails here)."""
    params = get_optional_params(model="llama3.2", custom_llm_provider=provider,
                                 response_format=response_format(AnswerSchema.NOTES))
    assert params["format"] == schema_of(AnswerSchema.NOTES)


def test_structured_output_setting_is_validated(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    assert load_settings({}, none).llm_structured_output == "auto"
    assert load_settings({"LLM_STRUCTURED_OUTPUT": "off"}, none).llm_structured_output == "off"
    with pytest.raises(ConfigError) as info:
        load_settings({"LLM_STRUCTURED_OUTPUT": "yes"}, none)
    assert "is not one of: auto, off, on" in info.value.message


def test_a_refused_schema_request_names_the_setting() -> None:
    refused = classify_llm_error(llm_error(llm_errors.BadRequestError, 400), "m", structured=True)
    assert refused.non_retryable and "LLM_STRUCTURED_OUTPUT=off" in refused.message
    plain = classify_llm_error(llm_error(llm_errors.BadRequestError, 400), "m")
    assert "LLM_STRUCTURED_OUTPUT" not in plain.message
    too_long = classify_llm_error(llm_error(llm_errors.ContextWindowExceededError, 400), "m",
                                  structured=True)
    assert "LLM_STRUCTURED_OUTPUT" not in too_long.message


def test_fake_research_answers_conform_to_the_schemas() -> None:
    """The fake LLM's plan, notes and verdicts validate against the models whose schemas
    it is sent."""
    plan = research_reply(prompts.PLAN_SYSTEM, prompts.plan_prompt("Tell me about bees.", 4))
    notes = research_reply(prompts.NOTES_SYSTEM, prompts.notes_prompt(
        "Tell me about tardigrades.", "How do they survive?",
        [(i, a.title, a.text) for i, a in enumerate(ARTICLES, 1)]))
    assert plan is not None and notes is not None
    assert len(Plan.model_validate_json(plan).subquestions) == 4
    assert len(NotesAnswer.model_validate_json(notes).notes) == 2 * len(ARTICLES)
    judged = research_reply(prompts.JUDGE_SYSTEM, prompts.judge_prompt(
        [(1, ARTICLES[0].paragraphs[1], ARTICLES[0].paragraphs[1]),
         (2, ARTICLES[0].paragraphs[1], ARTICLES[3].paragraphs[2])]))
    assert judged is not None
    verdicts = JudgeAnswer.model_validate_json(judged).verdicts
    assert [(v.id, v.verdict) for v in verdicts] == [(1, Relation.SUPPORTS),
                                                     (2, Relation.NEITHER)]


def test_plan_validates_only_the_subquestions_it_uses() -> None:
    """The embedded model's lists of 8 often repeat one late; the first 4 are fine."""
    answer = json.dumps({"subquestions": ["What are tardigrades?", "How big are they?",
                                          "Where do they live?", "What do they eat?",
                                          "What are tardigrades?"]})
    assert parse_plan(answer, 4) == ["What are tardigrades?", "How big are they?",
                                     "Where do they live?", "What do they eat?"]
    with pytest.raises(ValueError, match="repeated"):
        parse_plan(answer, 4, first_only=False)  # as before the plan-first-n patch
    with pytest.raises(ValueError, match="at least 3"):
        parse_plan(json.dumps({"subquestions": ["What are tardigrades?"]}), 4)


def test_notes_are_validated_one_by_one() -> None:
    """A note of the wrong shape is dropped, the others kept; a missing or null ``point``
    and unknown keys are tolerated (a model that only read the prompt)."""
    text = ARTICLES[0].text
    source = Source(url="https://x.org/a", title="A", ok=True, content_hash="h1")
    first, second, third = ARTICLES[0].paragraphs[:3]
    raw = {"notes": [
        {"source": 1, "quote": first, "point": "resilient", "page": 3},
        {"source": 1, "quote": second, "point": None},
        {"source": "1", "quote": third},
        {"source": "first", "quote": first, "point": "x"},
        {"quote": first},
        {"source": 1, "quote": "words the source does not contain"},
        {"source": 2, "quote": first},
        "not a note",
    ]}
    kept, dropped = valid_notes(raw, [source], {"h1": text})
    assert [n["point"] for n in kept] == ["resilient", second, third]
    assert dropped == 5


@pytest.mark.parametrize("schema", [*AnswerSchema, None])
def test_only_the_judge_is_asked_at_temperature_0(schema: AnswerSchema | None) -> None:
    """A checker's verdict must not be a draw; the writer's and the planner's sampling is
    the provider's own."""
    settings = _settings("openai/gpt-4o-mini")
    kwargs = completion_kwargs(settings, settings.llm_model, "s", "p", schema)
    judged = schema == AnswerSchema.JUDGE
    assert (kwargs.get("temperature"), kwargs.get("drop_params")) == (
        (0.0, True) if judged else (None, None))


@pytest.mark.parametrize(
    ("model", "provider", "sent"),
    [
        ("gpt-4o-mini", "openai", True),
        ("llama3.2", "ollama", True),
        ("claude-3-5-sonnet-20240620", "anthropic", True),
        ("o3", "openai", False),  # takes only its default: asked at it, not refused
        ("gpt-5", "openai", False),
    ],
)
def test_litellm_sends_the_judges_temperature_where_the_model_takes_it(
        model: str, provider: str, sent: bool) -> None:
    """litellm's own translation of the judge's sampling: without ``drop_params`` a
    reasoning model refuses the whole call (UnsupportedParamsError)."""
    params = get_optional_params(model=model, custom_llm_provider=provider, **JUDGE_SAMPLING)
    assert ("temperature" in params) is sent
    if sent:
        assert params["temperature"] == 0.0
    else:
        with pytest.raises(llm_errors.UnsupportedParamsError):
            get_optional_params(model=model, custom_llm_provider=provider, temperature=0.0)
