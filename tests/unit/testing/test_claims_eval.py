"""The labelled-claims evaluation with a judge of one's own (the bench passes a real model)."""

from __future__ import annotations

from typing import Any

import pytest

from durable_research.contract.citations import ClaimStatus
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import Question
from durable_research.testing.claims_eval import Judge, Mode, evaluate, status_of

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
