"""Clarifying questions before planning: the model's questions, parsed and never trusted
raw, and the question the plan is then asked for (the user's answers added to it).

Pure and deterministic: the workflow parses the answer itself. An invalid or empty
answer means "no questions": asking is a courtesy, so research goes on without it
instead of asking again.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError, field_validator

from durable_research.contract.review import MAX_QUESTIONS
from durable_research.research.plan import json_object

MAX_QUESTION_CHARS = 300


class Questions(BaseModel):
    """Up to three questions whose answers would change what is researched; none when the
    question is clear."""

    questions: list[str] = Field(max_length=MAX_QUESTIONS)

    @field_validator("questions")
    @classmethod
    def _clean(cls, items: list[str]) -> list[str]:
        cleaned: list[str] = []
        for item in items:
            text = " ".join(str(item).split())
            if len(text) < 5 or len(text) > MAX_QUESTION_CHARS:
                continue  # a fragment or an essay is no question for the user
            if text.lower() not in (c.lower() for c in cleaned):
                cleaned.append(text)
        return cleaned


def parse_questions(text: str) -> list[str]:
    """The usable questions of a model's answer; ``[]`` for no, or no valid, questions."""
    try:
        data = json_object(text)
    except ValueError:
        return []
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = {"questions": data["questions"][:MAX_QUESTIONS]}
    try:
        return Questions.model_validate(data).questions
    except ValidationError:
        return []


def answered(questions: list[str], answers: list[str]) -> list[tuple[str, str]]:
    """The (question, answer) pairs the user answered, in order."""
    pairs = zip(questions, answers, strict=False)
    return [(q, " ".join(a.split())) for q, a in pairs if a.strip()]


def clarified_question(question: str, pairs: list[tuple[str, str]]) -> str:
    """The question the plan is asked for: the user's question and their answers."""
    if not pairs:
        return question
    lines = [question, "", "The user's answers to clarifying questions:"]
    lines += [f"- {q} {a}" for q, a in pairs]
    return "\n".join(lines)


def clarify_note(questions: list[str], pairs: list[tuple[str, str]]) -> str:
    """What the report's notes say about the questions asked before planning."""
    if not pairs:
        return (f"Before planning, {len(questions)} clarifying question(s) were asked and not "
                "answered; the plan follows the question as written.")
    said = "; ".join(f"{q} {a}" for q, a in pairs)
    return f"Before planning, the user answered clarifying questions: {said}"
