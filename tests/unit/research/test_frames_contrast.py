"""The frames added on the calibration split's misses: "A, not B", alone or with others,
the product a version is of, the frames against a claim's own supporting source; and whose
model a thing follows (written with a report's decoy fact in view: not held out)."""

from __future__ import annotations

import pytest

from durable_research.contract.citations import ClaimStatus
from durable_research.research.citations import cited_sentences
from durable_research.research.crosscheck import assess, settle
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.frame_rules import (
    cardinality_conflict,
    origin_conflict,
    preference_conflict,
    preferences,
    since_conflict,
    sole_conflict,
)

NONE: frozenset[str] = frozenset()


def flat(_token: str) -> float:
    return 1.0


def test_a_comma_not_reads_the_short_chosen_side() -> None:
    [p] = preferences("The 100K hits/day figure is a conservative estimate, not a hard upper "
                      "bound.")
    assert p.chosen == {"conservativ", "estimat"}
    assert p.rejected == {"hard", "upper", "bound"}
    # "not only", "not to mention": no rejected thing
    assert preferences("It stores the text, not only the index.") == []


SITES = "The 100K hits/day figure is a conservative estimate, not a hard upper bound."
ROWID = ("Other integer type names like \"INT\" or \"BIGINT\" causes the primary key column to "
         "behave as an ordinary table column with integer affinity and a unique index, not "
         "as an alias for the rowid.")
SAME = ("Two database connections that use the same shared cache are considered to be the "
        "same database connection, not separate database connections.")


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("The 100K hits/day figure is a hard upper bound.", SITES, True),
        # the claim denies it too
        ("The 100K hits/day figure is not a hard upper bound.", SITES, False),
        # the claim says what the sentence chose
        ("The 100K hits/day figure is a conservative estimate.", SITES, False),
        # the sentence is about another case ("Other integer type names ...")
        ("In an ordinary table, an INTEGER PRIMARY KEY column is an alias for the rowid.",
         ROWID, False),
        # the chosen side is only a small word ("the same X, not separate X")
        ("Two threads must use separate database connections at once.", SAME, False),
        # a condition on the claim
        ("If the site is busy, the 100K hits/day figure is a hard upper bound.", SITES, False),
    ],
)
def test_what_one_says_not(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(preference_conflict(claim, sentence, flat, NONE)) is conflict


CURIE = ("She shared the 1903 Nobel Prize in Physics with Pierre Curie and Henri Becquerel, "
         "and won the 1911 Nobel Prize in Chemistry alone, becoming the first person to win "
         "Nobel Prizes in two different sciences.")
CURIE_NAMES = frozenset({"mari", "curi"})


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("Marie Curie shared the 1911 Nobel Prize in Chemistry with Pierre Curie.", CURIE,
         True),
        ("Marie Curie won the 1903 Nobel Prize in Physics alone.", CURIE, True),
        # the shared one, as the sentence says
        ("Marie Curie shared the 1903 Nobel Prize in Physics with Pierre Curie.", CURIE,
         False),
        # another year: another deed
        ("Marie Curie shared the 1935 Nobel Prize in Chemistry with her daughter.", CURIE,
         False),
        # "shared" as an adjective has no partner
        ("Each connection reads the shared cache alone.",
         "Connections that use a shared cache see the same pages.", False),
    ],
)
def test_alone_or_with_others(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(sole_conflict(claim, sentence, flat, CURIE_NAMES)) is conflict


WAL = ("Beginning with version 3.7.0 (2010-07-21), a new \"Write-Ahead Log\" option "
       "(hereafter referred to as \"WAL\") is available.")


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        # the product the version is of ("SQLite") may be left out by the other
        ("Write-ahead logging was introduced in SQLite 3.6.0 in 2008.", WAL, True),
        # two things, each with its version: a name of each the other lacks
        ("But that functionality was superceded by SQLITE_ENABLE_STAT4 as of SQLite version "
         "3.8.1 (2013-10-17).",
         "But that functionality was superceded by SQLITE_ENABLE_STAT3 as of SQLite version "
         "3.7.9 (2011-11-01).", False),
    ],
)
def test_since_when_with_the_product_named(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(since_conflict(claim, sentence, flat, NONE)) is conflict


def _status(claim: str, cited: str) -> ClaimStatus:
    source = Evidence("cited", cited, url="https://cited.example/", n=1)
    pool = EvidencePool([source])
    [sent] = cited_sentences(claim + " [1]")
    return settle(assess(sent, {1: source}, pool, use_judge=False), {}, pool).status


CURIE_PAGE = ("Marie Skłodowska Curie was born in Warsaw in 1867 and moved to Paris in 1891. "
              + CURIE)


def test_a_frame_of_its_own_supporting_source_disputes_it() -> None:
    claim = "Marie Curie shared the 1911 Nobel Prize in Chemistry with Pierre Curie."
    assert _status(claim, CURIE_PAGE) is ClaimStatus.DISPUTED


def test_its_own_source_stated_plainly_stays_verified() -> None:
    claim = "Marie Curie shared the 1903 Nobel Prize in Physics with Pierre Curie."
    assert _status(claim, CURIE_PAGE) is ClaimStatus.VERIFIED


def test_its_own_words_are_not_set_against_its_other_sentences() -> None:
    page = ("Other embedded SQL database engines typically only allow a single process to "
            "connect to the database at once. SQLite allows multiple processes to have the "
            "database file open at once, and for multiple processes to read the database at "
            "once.")
    claim = ("Other embedded SQL database engines typically only allow a single process to "
             "connect to the database at once.")
    assert _status(claim, page) is ClaimStatus.VERIFIED


UPSERT = "UPSERT in SQLite follows the syntax established by PostgreSQL, with generalizations."


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        # the origin's own words ("ON DUPLICATE KEY UPDATE") are not the subject's
        ("UPSERT syntax in SQLite follows MySQL's ON DUPLICATE KEY UPDATE.", UPSERT, True),
        ("The re module's patterns are similar to those found in Perl.",
         "The re module's patterns follow the syntax established by POSIX.", True),
        # the same origin
        ("UPSERT in SQLite follows PostgreSQL's syntax.", UPSERT, False),
        # another subject
        ("The date functions in SQLite follow MySQL's format strings.", UPSERT, False),
    ],
)
def test_whose_model_it_follows(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(origin_conflict(claim, sentence, flat, NONE)) is conflict


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        # still: one against several of the same thing
        ("In WAL mode, several connections can write to the database at the same time.",
         "However, since there is only one WAL file, there can only be one writer at a time.",
         True),
        # another thing's case (the FAQ's own two sentences)
        ("SQLite allows multiple processes to have the database file open at once.",
         "Other embedded SQL database engines typically only allow a single process to "
         "connect to the database at once.", False),
        # a name of each the other lacks
        ("Any number of processes can hold SHARED locks at the same time.",
         "Only one process at a time can hold a RESERVED lock.", False),
    ],
)
def test_one_against_several_of_the_same_thing(claim: str, sentence: str,
                                               conflict: bool) -> None:
    assert bool(cardinality_conflict(claim, sentence)) is conflict


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # a question
        ("Only one application can access the database file at a time.",
         "Can multiple applications access a database file at the same time?"),
        # "more than a single" is several
        ("Applications never access SQLite from more than one thread at a time.",
         "SQLite is unsafe to use in more than a single thread at once."),
        # only a modifier in common ("database")
        ("Only one database connection is active at a time.",
         "Two or more database files can be read at the same time."),
        # a relation between two counts
        ("Only one database connection is active at a time.",
         "SQLite allows a single database connection to talk to two or more database files "
         "simultaneously."),
    ],
)
def test_one_against_several_near_misses(claim: str, sentence: str) -> None:
    assert cardinality_conflict(claim, sentence) is None


def test_a_decoys_claim_of_whose_model_is_disputed_by_the_official_page() -> None:
    claim = "UPSERT syntax in SQLite follows MySQL's ON DUPLICATE KEY UPDATE."
    decoy = Evidence("wiki", "Our team wiki on SQLite. " + claim,
                     url="https://wiki.example/", n=1)
    official = Evidence("docs", "UPSERT syntax was added to SQLite with version 3.24.0 "
                        "(2018-06-04). " + UPSERT, url="https://sqlite.example/")
    pool = EvidencePool([decoy, official])
    [sent] = cited_sentences(claim + " [1]")
    found = assess(sent, {1: decoy}, pool, use_judge=False)
    assert settle(found, {}, pool).status is ClaimStatus.DISPUTED
    assert found.conflict is not None and "whose model" in found.conflict.reason
