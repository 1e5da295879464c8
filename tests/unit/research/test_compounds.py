"""One word on one side, two on the other: the claim rules read them as the same words."""

from __future__ import annotations

import pytest

from durable_research.research.claims import Relation, compare
from durable_research.research.compounds import split_joined
from durable_research.research.statements import tokens


def flat(_token: str) -> float:
    return 1.0


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # the claim joins what the sentence writes apart (a stopword between them)
        ("SQLite has a native DATETIME storage class.",
         "SQLite does not have a storage class set aside for storing dates and/or times."),
        # the sentence joins what the claim writes apart
        ("WAL mode works on a network file system.",
         "WAL mode does not work on a network filesystem."),
        ("The timestamp column is indexed.", "The time stamp column is not indexed."),
    ],
)
def test_a_not_with_a_word_written_as_two_contradicts(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


def test_the_parts_must_stand_side_by_side() -> None:
    # "check" and "point" far apart are two words, not "checkpoint"
    c, s, joined, _ = split_joined(tokens("The checkpoint runs often."),
                                   tokens("Check the log at this point."))
    assert joined == {}
    assert "checkpoint" in c


def test_short_parts_are_no_compound() -> None:
    # "into" is not "in" + "to"; nor is a number split
    _, _, joined, _ = split_joined(tokens("Rows go into the table 12345."),
                                   tokens("Rows go in to the table 123 45."))
    assert joined == {}


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # another subject: the joined word's parts are not what the sentence denies
        ("SQLite has a native DATETIME storage class.",
         "SQLite does not have a storage class for booleans."),
    ],
)
def test_no_conflict_without_the_parts(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS
