"""The shapes of the LLM's JSON answers (plan, notes, judge, clarifying questions), defined
once as pydantic models.

Each model does two jobs:

- ``schema_of(name)`` is the JSON schema sent as ``response_format`` to providers that
  constrain decoding with it (OpenAI's structured outputs, llama.cpp's grammars, Ollama's
  ``format``). It is written for OpenAI's strict mode, the strictest of them: every object
  has ``additionalProperties: false``, every property is required, and no property has a
  ``default`` (strict mode rejects one). Only keywords all of them accept are used
  (``minItems``/``maxItems``, ``enum``; no string lengths, which OpenAI's strict mode
  refuses). Only for a grammar engine under a token cap (``grammar=True`` below) are a
  plan's strings bounded too, so the list fits the cap.
- ``model_validate`` checks the answer, which is never trusted raw: a provider without
  schema support only read the prompt. Validation is lenient where the schema is strict
  (unknown keys are ignored, a missing ``point`` or ``follow_up`` defaults to empty), so an
  answer that merely ignored the format keeps its usable parts.

The schema crosses the activity boundary by name
(:class:`~durable_research.contract.llm.AnswerSchema` in ``LlmCallInput.answer_schema``),
never as a dict.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from durable_research.contract.llm import AnswerSchema
from durable_research.research.claims import Relation
from durable_research.research.clarify import Questions
from durable_research.research.plan import MIN_SUBQUESTION_CHARS, Plan

# Notes one call may return: more than a 12,000-character context holds facts for.
MAX_NOTES = 40
# Answer tokens one note takes. Measured with SmolLM2-135M under llama.cpp's grammar, which
# writes pretty-printed JSON: about 90 on average (4 notes: 359-381 tokens), up to 167. With
# a token cap, the notes schema allows only as many notes as fit, or the cap cuts the JSON
# off: asked for up to 8 notes under a 600-token cap it ran out in 2 of 3 calls, for up
# to 4 never (600 tokens now allow 4).
NOTE_TOKENS = 120
# A plan's sub-questions under a grammar engine and a token cap. Measured with SmolLM2-135M
# under its 300-token cap (8 questions x 3; docs/local-model.md, "Two details keep the
# embedded model's answers valid"): without string bounds 20 of 24 plans were valid on the
# first try (one ran on inside a sub-question until the cap cut the JSON, two wrote one over
# 300 characters, one an item "},{"); with 5 to 150 characters a sub-question, 23 of 24 in
# each of three runs (each miss a repeat). Its sub-questions average 59-75 characters.
PLAN_GRAMMAR_CHARS = 150
# Answer tokens one such sub-question may take: 150 characters at 3+ characters a token,
# with its quotes, comma and indentation. A 300-token cap allows 5 (4 are asked for).
PLAN_ITEM_TOKENS = 50
# The plan's wrapper: the braces, key and brackets.
PLAN_WRAPPER_TOKENS = 20


class NoteAnswer(BaseModel):
    """One fact: the source's number, its exact words, and the fact in brief."""

    source: int
    quote: str
    point: str = ""

    @field_validator("point", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return "" if value is None else value


class NotesAnswer(BaseModel):
    """Quoted facts, and one web search query for what is still missing (or empty)."""

    notes: list[NoteAnswer] = Field(max_length=MAX_NOTES)
    follow_up: str = ""


class JudgeVerdict(BaseModel):
    """What source excerpt ``id`` says of claim ``id``: supports, contradicts or neither."""

    id: int
    verdict: Relation


class JudgeAnswer(BaseModel):
    """A verdict for each claim."""

    verdicts: list[JudgeVerdict]


ANSWER_MODELS: dict[AnswerSchema, type[BaseModel]] = {
    AnswerSchema.PLAN: Plan,
    AnswerSchema.NOTES: NotesAnswer,
    AnswerSchema.JUDGE: JudgeAnswer,
    AnswerSchema.CLARIFY: Questions,
}


class _StrictSchema(GenerateJsonSchema):
    """pydantic's JSON schema in OpenAI's strict form (see the module docstring)."""

    def field_is_required(self, field: Any, total: bool) -> bool:
        return True

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def model_fields_schema(self, schema: core_schema.ModelFieldsSchema) -> JsonSchemaValue:
        out = super().model_fields_schema(schema)
        out["additionalProperties"] = False
        return out


def answer_schema(name: str) -> AnswerSchema:
    """The schema named ``name`` (an :class:`AnswerSchema` value).

    Raises:
        ValueError: ``name`` names no schema.
    """
    try:
        return AnswerSchema(name)
    except ValueError:
        known = ", ".join(s.value for s in AnswerSchema)
        raise ValueError(f"unknown answer schema {name!r} (known: {known})") from None


def schema_of(name: AnswerSchema) -> dict[str, Any]:
    """The strict JSON schema of an answer."""
    return ANSWER_MODELS[name].model_json_schema(schema_generator=_StrictSchema)


def response_format(name: AnswerSchema, max_tokens: int = 0, grammar: bool = False
                    ) -> dict[str, Any]:
    """The OpenAI ``response_format`` asking for an answer of this schema.

    ``max_tokens``: the call's answer cap (0: none); the notes list is bounded to fit it.
    ``grammar``: the server turns the schema into a decoding grammar that enforces string
    lengths (llama.cpp, Ollama); with a cap, a plan's sub-questions are then bounded in
    length and number so that the whole list fits it.
    """
    schema = schema_of(name)
    if name is AnswerSchema.NOTES and max_tokens:
        fits = max(1, (max_tokens - NOTE_TOKENS // 2) // NOTE_TOKENS)
        schema["properties"]["notes"]["maxItems"] = min(MAX_NOTES, fits)
    if name is AnswerSchema.PLAN and max_tokens and grammar:
        items = schema["properties"]["subquestions"]
        fits = (max_tokens - PLAN_WRAPPER_TOKENS) // PLAN_ITEM_TOKENS
        items["maxItems"] = max(items["minItems"], min(items["maxItems"], fits))
        items["items"].update(minLength=MIN_SUBQUESTION_CHARS, maxLength=PLAN_GRAMMAR_CHARS)
    return {"type": "json_schema",
            "json_schema": {"name": name.value, "schema": schema, "strict": True}}
