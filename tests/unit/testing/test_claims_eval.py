"""The labelled-claims evaluation with a judge of one's own (the bench passes a real model)."""

from __future__ import annotations

from typing import Any

import pytest

from durable_research.activities.checking import parse_verdicts
from durable_research.contract.citations import ClaimStatus
from durable_research.research import prompts
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import Question
from durable_research.testing.claims_eval import Judge, Mode, evaluate, status_of
from durable_research.testing.fake_research import research_reply

ITEM: dict[str, Any] = {
    "claim": "The default page size is 1024 bytes.",
    "cited": "The default page size is 1024 bytes.",
    "others": ["Since 3.12.0 the default page size is 4096 bytes.", "Pages hold b-tree cells."],
    "label": "disputed",
}


def scripted(cited: Relation | None, *others: Relation | None) -> tuple[Judge, list[Question]]:
    """A judge answering the cited passage and each other passage as told (None: silent);
    it records the questions it was asked."""
    asked: list[Question] = []

    def judge(questions: list[Question]) -> dict[Question, Relation]:
        asked.extend(questions)
        by_passage = {ITEM["cited"]: cited, **dict(zip(ITEM["others"], others, strict=True))}
        return {q: r for q in questions if (r := by_passage[q.passage]) is not None}

    return judge, asked


@pytest.mark.parametrize(
    ("cited", "others", "status"),
    [
        (Relation.SUPPORTS, (Relation.CONTRADICTS, Relation.NEITHER), ClaimStatus.DISPUTED),
        (Relation.SUPPORTS, (Relation.NEITHER, Relation.NEITHER), ClaimStatus.VERIFIED),
        (Relation.SUPPORTS, (Relation.SUPPORTS, None), ClaimStatus.CORROBORATED),
        (Relation.NEITHER, (Relation.SUPPORTS, None), ClaimStatus.UNVERIFIED),
        (None, (None, None), ClaimStatus.UNVERIFIED),
        # The cited passage contradicting its own claim is no other source's dispute.
        (Relation.CONTRADICTS, (Relation.NEITHER, Relation.NEITHER), ClaimStatus.UNVERIFIED),
    ],
)
def test_the_judge_alone_reads_every_pair_of_an_item(
        cited: Relation | None, others: tuple[Relation | None, ...], status: ClaimStatus) -> None:
    judge, asked = scripted(cited, *others)
    assert status_of(ITEM, Mode.ALONE, judge) is status
    assert [q.passage for q in asked] == [ITEM["cited"], *ITEM["others"]]
    assert [q.cited for q in asked] == [True, False, False]


def test_the_rules_ask_the_given_judge_and_evaluate_counts_its_verdicts() -> None:
    judge, asked = scripted(Relation.SUPPORTS, Relation.CONTRADICTS, Relation.NEITHER)
    alone = evaluate([ITEM], Mode.ALONE, judge)
    assert alone["disputed_recall"] == 1.0 and alone["false_verified"] == 0.0
    assert status_of(ITEM, Mode.RULES, judge) is ClaimStatus.DISPUTED  # numbers differ
    asked.clear()
    status_of(ITEM, Mode.RULES, judge)
    assert asked == []  # the rules alone never ask


CALENDAR: dict[str, Any] = {
    "claim": "Python's calendar module starts the week on Sunday by default, as cal(1) does.",
    "cited": "By default, Python's calendar module starts each week on Sunday, the same as the "
             "cal(1) command.",
    "others": ["By default, these calendars have Monday as the first day of the week, and "
               "Sunday as the last (the European convention)."],
    "label": "disputed",
}


def test_every_mode_asks_the_judge_what_the_rules_verified_and_counts_the_questions() -> None:
    asked: list[Question] = []

    def judge(questions: list[Question]) -> dict[Question, Relation]:
        asked.extend(questions)
        return {q: Relation.SUPPORTS if q.cited else Relation.CONTRADICTS for q in questions}

    assert status_of(CALENDAR, Mode.JUDGE, judge) is ClaimStatus.VERIFIED and asked == []
    assert status_of(CALENDAR, Mode.EVERY, judge) is ClaimStatus.DISPUTED
    assert [q.cited for q in asked] == [True, False]
    assert status_of(CALENDAR, Mode.CITED, judge) is ClaimStatus.VERIFIED
    counts = {mode: evaluate([CALENDAR], mode, judge)["questions_per_claim"]
              for mode in (Mode.RULES, Mode.JUDGE, Mode.CITED, Mode.OTHERS, Mode.EVERY,
                           Mode.ALONE)}
    assert counts == {Mode.RULES: 0, Mode.JUDGE: 0, Mode.CITED: 1, Mode.OTHERS: 1,
                      Mode.EVERY: 2, Mode.ALONE: 2}


def test_the_fake_judge_reads_an_excerpt_statement_by_statement() -> None:
    """Its words pooled over an excerpt of several sentences (the judge reads a source's
    closest sentences, each with the one before it) made "supports" of words no sentence
    states together; each statement is read with the one before it, as a reader does."""
    claim = "Tardigrades survive boiling water for hours."
    spread = ("Tardigrades are tiny animals. … Moss grows near lakes. … Boiling water kills "
              "most animals within hours.")
    stated = "They are tiny. Tardigrades survive boiling water for hours, one study found."
    items = [(1, claim, spread), (2, claim, stated)]
    reply = research_reply(prompts.JUDGE_SYSTEM, prompts.judge_prompt(items)) or ""
    assert parse_verdicts(reply) == {1: Relation.NEITHER, 2: Relation.SUPPORTS}


def test_the_fake_judge_reads_a_sentence_with_its_neighbour_only() -> None:
    """A sentence is read with the one before it in the source, not with the one before it
    in the excerpt when "…" parts them: those are two statements from two places of the
    source (pooled, they made "supports" of what neither states)."""
    claim = "Tardigrades survive boiling water."
    apart = "Tardigrades are tiny animals that survive. … Boiling water kills most animals."
    together = "Tardigrades are tiny animals that survive. Boiling water kills most animals."
    items = [(1, claim, apart), (2, claim, together)]
    reply = research_reply(prompts.JUDGE_SYSTEM, prompts.judge_prompt(items)) or ""
    assert parse_verdicts(reply) == {1: Relation.NEITHER, 2: Relation.SUPPORTS}
