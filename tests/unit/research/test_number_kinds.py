"""Numbers face numbers of their own kind and role (research/number_kinds.py, used by the
claim rules). The negative cases are disputes the rules raised between two official pages
of the evaluation's reports once more official pages were read."""

from __future__ import annotations

import pytest

from durable_research.research.claims import Relation, compare
from durable_research.research.number_kinds import (
    NumberKind,
    asides,
    number_kinds,
    points_within_document,
)
from durable_research.research.statements import clauses, tokens


def _flat(_token: str) -> float:
    return 1.0


def test_dates_and_versions_are_told_apart() -> None:
    kinds = number_kinds("Beginning with version 3.7.10 (2012-01-16), the format is 4; "
                         "version 3.12 raised it.")
    assert kinds[tokens("3.7.10")[0]] is NumberKind.VERSION
    assert kinds[tokens("2012-01-16")[0]] is NumberKind.DATE
    assert kinds[tokens("3.12")[0]] is NumberKind.VERSION
    assert tokens("4")[0] not in kinds  # a quantity
    labels = number_kinds("See note 6, section 2. and PEP 8; it has 4 sections.")
    assert [labels.get(tokens(n)[0]) for n in ("6", "2", "8", "4")] == [
        NumberKind.LABEL, NumberKind.LABEL, NumberKind.LABEL, None]


def test_numbers_in_parentheses_are_asides() -> None:
    assert asides("a hidden column in a virtual table (1)") == set(tokens("1"))
    assert asides("the limit is 10 (ten)") == set()  # "ten" is 10, outside too


def test_position_words_point_within_the_document_unless_a_number_follows() -> None:
    toks = tokens("as shown in the syntax diagram above")
    assert points_within_document(toks, len(toks) - 1)
    assert not points_within_document(tokens("above 1000 pages"), 0)


@pytest.mark.parametrize(("claim", "sentence"), [
    # A release date against a version.
    ("Prior to SQLite version 3.38.0 (2022-02-22), it was necessary to compile with this "
     "option in order to include the JSON SQL functions in the build.",
     "In other words, the JSON functions went from being opt-in with SQLite version 3.37.2 "
     "and earlier to opt-out with SQLite version 3.38.0 and later."),
    # Two versions that date two different changes.
    ("However, beginning with SQLite version 3.38.0, those functions are included by "
     "default.",
     "In other words, write access was required in order to read a WAL-mode database. This "
     "constraint was relaxed beginning with SQLite version 3.22.0 (2018-01-22)."),
    ("Beginning with SQLite version 3.7.13 (2012-06-11), shared cache can be used on "
     "in-memory databases, provided that the database is created using a URI filename.",
     "Beginning with version 3.7.10 (2012-01-16), the default schema format is 4."),
    ("For many years, the default page size was almost always 1024 bytes, but beginning "
     "with SQLite version 3.12.0 (2016-03-29), the default page size increased to 4096.",
     "Prior to SQLite version 3.38.0 (2022-02-22), it was necessary to compile with this "
     "option in order to include the JSON SQL functions in the build."),
    # A code in parentheses against a count.
    ("The output has the same columns as for PRAGMA table_info plus a column, \"hidden\", "
     "whose value signifies a normal column (0), a dynamic or stored generated column (2 or "
     "3), or a hidden column in a virtual table (1).",
     "Then the virtual table would be created with two hidden columns, and with datatypes "
     "of \"VARCHAR(12)\" and \"INTEGER\"."),
    # One of a list of allowed values.
    ("A pragma can take either zero or one argument.",
     "For example, if an SQL function can take either 2 or 3 arguments, then "
     "sqlite3_create_function() would be invoked once for the 2-argument version and a "
     "second time for the 3-argument version."),
    # Two notes of a folder that state the same thing (every quote of such a report was
    # printed disputed: "numbers differ: 6 vs 16").
    ("SQLite WAL note 6: a checkpoint moves the WAL's content back into the database file.",
     "SQLite WAL note 16: a checkpoint moves the WAL's content back into the database file."),
    ("As section 2 says, the default page size is 4096 bytes.",
     "As section 3 says, the default page size is 4096 bytes."),
    # A sentence that names the claim's version and an older one draws a timeline; its
    # second clause alone ("back to version 3.0.0 ... STRICT tables ... introduced") was
    # set against the claim (the research eval's reports, between two official pages).
    ("As an accommodation for those who expect rigid typing, SQLite version 3.37.0 "
     "(2021-11-27) introduced the option of STRICT tables.",
     "However, a database created by SQLite 3.37.0 or later can still be read and written "
     "by earlier versions of SQLite, going all the way back to version 3.0.0 (2004-06-18) "
     "as long as the database does not contain any STRICT tables or other features that "
     "were introduced after the older version of SQLite."),
    # Places in the document.
    ("An UPSERT is an ordinary INSERT statement that is followed by one or more ON CONFLICT "
     "clauses, as shown in the syntax diagram above.",
     "The core of a SELECT statement is a \"simple SELECT\" shown by the select-core and "
     "simple-select-stmt syntax diagrams below."),
])
def test_official_pages_are_not_set_against_each_other(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, _flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(("claim", "sentence"), [
    # The same feature dated by two versions (dates in parentheses left aside).
    ("Streaming replies arrived in version 2.1.0 (2019-03-02), for teams that need "
     "low latency.",
     "As of version 2.4.0 (2020-05-05), the broker provides streaming replies for clients "
     "that need low latency."),
    # Quantities of one thing still differ.
    ("The default page size is 1024 bytes.", "The default page size is 4096 bytes."),
    # ... also where the sentence names the claim's quantity as the past one.
    ("The default page size is 1024 bytes, and raising it to 4096 is the first thing I do "
     "on every new database.",
     "For many years, the default page size was almost always 1024 bytes, but beginning "
     "with SQLite version 3.12.0 (2016-03-29), the default page size increased to 4096."),
    # A value beside a label still differs ("step 3" names the step; 500 is its value).
    ("In step 3 the cache holds 2000 pages.", "In step 3 the cache holds 500 pages."),
    # A count of sections is a quantity: the number stands before the word.
    ("The guide has 4 sections on locking.", "The guide has 7 sections on locking."),
    # A position word before a number is a quantity's bound.
    ("Queues above 1000 messages are paged to disk.",
     "Queues below 1000 messages are paged to disk."),
])
def test_like_numbers_still_contradict(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, _flat).relation is Relation.CONTRADICTS


def test_a_number_with_thousands_separators_is_one_clause() -> None:
    # a comma between digits is no clause's end: "281, 474, ..." read as five numbers
    text = ("The maximum size database would be 2147483646 pages at 65536 bytes per page "
            "or 281,474,976,579,584 bytes (about 281 terabytes).")
    assert clauses(text) == [text]


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # one limit in two units
        ("The largest possible database is 2147483646 pages.",
         "The largest possible database is approximately 1.4e+14 bytes."),
        # ... in two scales
        ("The largest possible database holds 281 terabytes.",
         "The largest possible database holds 281474 gigabytes."),
        ("The default cache holds 2000 pages.", "The default cache holds 8 megabytes."),
    ],
)
def test_numbers_of_other_units_do_not_face_each_other(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, _flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("The default page size is 1024 bytes.", "The default page size is 4096 bytes."),
        # counted things are no unit of measure
        ("By default an SQLite connection can attach up to 125 databases.",
         "The number of attached databases is limited to SQLITE_MAX_ATTACHED which is set "
         "to 10 by default."),
        # one number without a unit
        ("The default page size is 1024.", "The default page size is 4096 bytes."),
        # scientific notation is one number
        ("The largest possible database is 2.8e+14 bytes.",
         "The largest possible database is 1.4e+14 bytes."),
    ],
)
def test_numbers_of_one_unit_still_differ(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, _flat).relation is Relation.CONTRADICTS
