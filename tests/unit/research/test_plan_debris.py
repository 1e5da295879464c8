"""A plan whose sub-questions are JSON or numbering debris is refused (and asked again by
the workflow), not researched and printed as section headings."""

from __future__ import annotations

import json

import pytest

from durable_research.research.plan import debris, parse_plan

# The embedded model's plan of a real report (a helper's trial, 2026-12-07): four sections
# were headed by these and quoted the same six sentences.
DEBRIS_PLAN = ["... (1)", "2(3) (5), 6, 7", "8], 9, 10]} {[{", "}, 11]} }; The answer is: [["]


@pytest.mark.parametrize("item", DEBRIS_PLAN)
def test_the_embedded_models_debris_is_not_a_question(item: str) -> None:
    assert debris(item)


@pytest.mark.parametrize("item", [
    "How do tardigrades survive extreme conditions?",
    "What changed between SQLite 3.44.2 and 3.45.0?",
    "What does json_extract('$[0]') return for an empty array?",
    "トランザクションとは何ですか？",
    "Wie funktioniert der WAL-Modus?",
])
def test_questions_in_any_script_with_numbers_or_paired_brackets_are_kept(item: str) -> None:
    assert debris(item) == ""


def test_a_plan_with_debris_is_refused_with_a_reason_for_the_next_ask() -> None:
    answer = json.dumps({"subquestions": DEBRIS_PLAN})
    with pytest.raises(ValueError, match="has no words: write each sub-question as a question"):
        parse_plan(answer, 4)
    # As before the plan-words-only patch (a recorded history that took it replays).
    assert parse_plan(answer, 4, words_only=False) == DEBRIS_PLAN


def test_only_the_subquestions_used_are_judged() -> None:
    answer = json.dumps({"subquestions": ["What are tardigrades?", "How big are they?",
                                          "}, 11]} }; The answer is: [["]})
    assert parse_plan(answer, 2) == ["What are tardigrades?", "How big are they?"]
