"""The research plan the LLM proposes: parsed and validated (pydantic), never trusted raw.

Pure and deterministic, so the workflow itself validates a plan and can ask again
with the validation error (each ask is its own durable LLM activity).
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, Field, ValidationError, field_validator

from durable_research.contract.research import MAX_SUBQUESTIONS, MIN_SUBQUESTIONS

MIN_SUBQUESTION_CHARS = 5
MAX_SUBQUESTION_CHARS = 300


class Plan(BaseModel):
    """Sub-questions that together answer the user's question."""

    subquestions: list[str] = Field(min_length=MIN_SUBQUESTIONS, max_length=MAX_SUBQUESTIONS)

    @field_validator("subquestions")
    @classmethod
    def _clean(cls, items: list[str]) -> list[str]:
        cleaned: list[str] = []
        for item in items:
            text = " ".join(str(item).split())
            if len(text) < MIN_SUBQUESTION_CHARS:
                raise ValueError(f"sub-question {text!r} is too short")
            if len(text) > MAX_SUBQUESTION_CHARS:
                raise ValueError(f"a sub-question is over {MAX_SUBQUESTION_CHARS} characters")
            if text.lower() in (c.lower() for c in cleaned):
                raise ValueError(f"sub-question {text!r} is repeated")
            cleaned.append(text)
        return cleaned


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def json_object(text: str) -> object:
    """The first JSON object in an LLM answer (bare, or inside a ```json fence).

    Raises:
        ValueError: No parseable JSON object in ``text``.
    """
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise ValueError("the answer contains no JSON object")


def debris(subquestion: str) -> str:
    """Why ``subquestion`` is a fragment of JSON or numbering rather than a question ("" when
    it is not).

    The embedded 135M model, asked for a plan, once wrote a valid list of
    ``["... (1)", "2(3) (5), 6, 7", "8], 9, 10]} {[{", "}, 11]} }; The answer is: [["]``:
    the report had four sections headed by those, quoting the same sentences. A question
    has a letter in some script, and no brace or unmatched bracket (a question about
    ``a[0]`` keeps its pair).
    """
    if not any(c.isalpha() for c in subquestion):
        return "has no words"
    if "{" in subquestion or "}" in subquestion \
            or subquestion.count("[") != subquestion.count("]"):
        return "holds JSON syntax"
    return ""


def parse_plan(text: str, max_subquestions: int = MAX_SUBQUESTIONS, first_only: bool = True,
               words_only: bool = True) -> list[str]:
    """Validate an LLM's plan answer and return its first ``max_subquestions`` sub-questions.

    ``first_only``: validate only the sub-questions that are used; False validates all of
    them, as workflows did before the ``plan-first-n`` patch. ``words_only``: refuse a
    sub-question that is :func:`debris`; False takes it, as workflows did before the
    ``plan-words-only`` patch.

    Raises:
        ValueError: With a message meant to be shown to the LLM on the next attempt.
    """
    data = json_object(text)
    if isinstance(data, list):
        data = {"subquestions": data}
    if first_only and isinstance(data, dict) and isinstance(data.get("subquestions"), list):
        # Only the first ``max`` are used: a fault in one past them (a repeat, as the
        # embedded model's lists of 8 often have) is no reason to ask again.
        keep = max(max_subquestions, MIN_SUBQUESTIONS)
        data = {**data, "subquestions": data["subquestions"][:keep]}
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None
    used = plan.subquestions[:max_subquestions]
    for subquestion in used if words_only else ():
        if why := debris(subquestion):
            raise ValueError(f"sub-question {subquestion!r} {why}: write each sub-question "
                             "as a question in words")
    return used


class ReviewedPlan(Plan):
    """A reviewer's list: the same rules, but one sub-question is enough."""

    subquestions: list[str] = Field(min_length=1, max_length=MAX_SUBQUESTIONS)


def validate_subquestions(items: list[str]) -> list[str]:
    """Validate a reviewer's edited list (1 to 8 distinct sub-questions).

    Raises:
        ValueError: In plain words, e.g. "give at most 8 sub-questions".
    """
    if not items:
        raise ValueError("give at least one sub-question")
    if len(items) > MAX_SUBQUESTIONS:
        raise ValueError(f"give at most {MAX_SUBQUESTIONS} sub-questions, not {len(items)}")
    try:
        return ReviewedPlan(subquestions=items).subquestions
    except ValidationError as exc:
        raise ValueError("; ".join(str(e["msg"]).removeprefix("Value error, ")
                                   for e in exc.errors())) from None
