"""Clarifying questions: the model's answer parsed, the user's answers into the plan."""

from __future__ import annotations

import json

import pytest

from durable_research.contract.llm import AnswerSchema
from durable_research.contract.review import MAX_ANSWER_CHARS, answers_problem
from durable_research.research.answers import schema_of
from durable_research.research.clarify import (
    answered,
    clarified_question,
    clarify_note,
    parse_questions,
)


def test_questions_are_cleaned_deduplicated_and_capped() -> None:
    text = json.dumps({"questions": ["  Which   period? ", "which period?", "ok?",
                                     "For whom is it?", "Where?  In Europe?", "A fourth one?"]})
    # "ok?" is too short to be a question for the user; repeats count once; at most 3 kept
    # from the first 3 given.
    assert parse_questions(text) == ["Which period?"]
    text = json.dumps({"questions": ["Which period?", "For whom is it?", "Where exactly?"]})
    assert parse_questions(text) == ["Which period?", "For whom is it?", "Where exactly?"]


@pytest.mark.parametrize("answer", [
    "I have no questions.", '{"questions": "which period?"}', '{"questions": []}',
    '{"questions": [42, null]}', "[]", '{"other": 1}'])
def test_no_valid_questions_means_none(answer: str) -> None:
    assert parse_questions(answer) == []


def test_a_question_inside_a_fence_is_found() -> None:
    assert parse_questions('Sure:\n```json\n{"questions": ["Which decade?"]}\n```') == [
        "Which decade?"]


def test_the_schema_bounds_the_list() -> None:
    schema = schema_of(AnswerSchema.CLARIFY)
    assert schema["properties"]["questions"]["maxItems"] == 3
    assert schema["required"] == ["questions"] and schema["additionalProperties"] is False


def test_answers_go_into_the_plan_question_and_the_notes() -> None:
    questions = ["Which period?", "For whom?", "Where?"]
    pairs = answered(questions, ["  the 1990s\n", "", "Europe"])
    assert pairs == [("Which period?", "the 1990s"), ("Where?", "Europe")]
    asked = clarified_question("How did trains change?", pairs)
    assert asked.startswith("How did trains change?\n\n")
    assert "- Which period? the 1990s\n- Where? Europe" in asked
    assert "Which period? the 1990s; Where? Europe" in clarify_note(questions, pairs)


def test_no_answers_leave_the_question_as_written() -> None:
    assert clarified_question("How did trains change?", []) == "How did trains change?"
    assert "not answered" in clarify_note(["Which period?"], [])


def test_answers_problem() -> None:
    assert answers_problem(["a", "b"], 2) == ""
    assert answers_problem([], 2) == ""
    assert answers_problem(["a", "b", "c"], 2) == "3 answers for 2 question(s)"
    assert answers_problem(["x" * (MAX_ANSWER_CHARS + 1)], 1) == (
        f"answer 1 is over {MAX_ANSWER_CHARS} characters")
