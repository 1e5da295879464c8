"""Statement frames: each reader, each rule, and the near misses that must not fire."""

from __future__ import annotations

import pytest

from durable_research.contract.citations import ClaimStatus
from durable_research.research.citations import cited_sentences
from durable_research.research.claims import Relation, compare
from durable_research.research.crosscheck import assess, settle
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.frame_rules import (
    agent_conflict,
    agents,
    cardinality_conflict,
    dependency_conflict,
    preference_conflict,
    preferences,
    since_conflict,
    since_versions,
)
from durable_research.research.frames import (
    alternative_groups,
    alternatives,
    default_conflict,
    defaults,
    exclusive,
)
from durable_research.research.framing import main_part
from durable_research.research.statements import tokens


def toks(*words: str) -> set[str]:
    return {t for w in words for t in tokens(w)}


def flat(_token: str) -> float:
    return 1.0


NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("If the keyword is omitted, then VIRTUAL is the default.", {"virtual"}),
        ("An SQLite database connection defaults to WAL.", {"wal"}),
        ("The read_uncommitted pragma is off by default.", {"off"}),
        ("Foreign key constraints are disabled by default.", {"off"}),
        ("By default, the cache is enabled.", {"on"}),
        ("Generated columns are STORED unless you write VIRTUAL.", {"stored"}),
        ("The default transaction behavior is DEFERRED.", {"deferred"}),
    ],
)
def test_defaults_read_the_value(text: str, value: set[str]) -> None:
    assert [set(d.value) for d in defaults(text)] == [toks(*value)]


@pytest.mark.parametrize(
    "text",
    ["The feature is not enabled by default.",
     "For many years the default page size was 1024 bytes.",
     "The pragma is normally set by the application."],
)
def test_no_default_in_negations_history_or_adverbs(text: str) -> None:
    assert defaults(text) == []


def test_alternatives_are_the_values_listed_with_or() -> None:
    assert alternatives('If the trailing "VIRTUAL" or "STORED" keyword is omitted') >= toks(
        "virtual", "stored")
    assert toks("deferred", "immediate", "exclusive") <= alternatives(
        "Transactions can be DEFERRED, IMMEDIATE, or EXCLUSIVE.")


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("SQLite generated columns are STORED by default.",
         'If the trailing "VIRTUAL" or "STORED" keyword is omitted, then VIRTUAL is the default.'),
        ("Generated columns are STORED unless you write VIRTUAL.",
         'If the trailing "VIRTUAL" or "STORED" keyword is omitted, then VIRTUAL is the default.'),
        ("The read_uncommitted pragma is on by default.",
         "The read_uncommitted pragma is off by default and so if the application does nothing "
         "to turn it on, it will remain off."),
        ("By default, foreign key enforcement is enabled in the shell.",
         "Foreign key enforcement is disabled by default in the shell."),
        ("The journal mode defaults to WAL for new databases.",
         "For new databases the journal mode is DELETE by default."),
    ],
)
def test_two_defaults_of_one_subject_conflict(claim: str, sentence: str) -> None:
    assert default_conflict(claim, sentence, flat, NONE)
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # two subjects
        ("SQLITE_MAX_LENGTH defaults to 1000000000.", "SQLITE_MAX_COLUMN defaults to 2000."),
        ("The page size defaults to 4096 bytes.", "The cache size defaults to -2000."),
        # a condition on one side
        ("The read_uncommitted pragma is off by default.",
         "The read_uncommitted pragma is on by default when shared cache is used."),
        ("When compiled with SQLITE_DEFAULT_WAL, the journal mode defaults to WAL.",
         "The journal mode defaults to DELETE."),
        # history, not the default today
        ("The default page size is 4096 bytes.",
         "For many years, the default page size was 1024 bytes."),
        # the same value
        ("Foreign keys are off by default.", "By default, foreign keys are disabled."),
        # an everyday word, not a value of the slot
        ("The buffer is small by default.", "The buffer is large by default in servers."),
    ],
)
def test_defaults_near_misses_do_not_conflict(claim: str, sentence: str) -> None:
    assert default_conflict(claim, sentence, flat, NONE) is None


def test_a_condition_after_a_consequence_leaves_the_main_part() -> None:
    text = "X is off by default and so if nothing turns it on, it stays off."
    assert main_part(text) == "X is off by default"
    assert main_part("X is disabled when the flag is set.") == "X is disabled when the flag is set."
    # the general rules use it too: a "not" the condition does not bear on
    claim = "The AUTOINCREMENT keyword imposes no extra CPU, memory, or disk overhead."
    sentence = ("The AUTOINCREMENT keyword imposes extra CPU, memory, and disk overhead and "
                "should be avoided if not strictly needed.")
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("In WAL mode, several connections can write to the database at the same time.",
         "However, since there is only one WAL file, there can only be one writer at a time.",
         True),
        ("Only one process can hold the lock at a time.",
         "Multiple processes can hold the lock at once.", True),
        # not about what happens at once
        ("A database has only one schema table.", "Several tables can be attached.", False),
        # one of one thing, many of another
        ("Only one writer is allowed at a time.", "Many readers can read at the same time.",
         False),
        # a condition
        ("Several connections can write at the same time if each uses its own file.",
         "There can only be one writer at a time.", False),
    ],
)
def test_one_against_several_at_once(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(cardinality_conflict(claim, sentence)) is conflict


def test_agents_read_the_verb_and_the_name() -> None:
    assert agents("A French company led by Ferdinand de Lesseps began") == [
        ("led", toks("Ferdinand", "de", "Lesseps"))]
    assert agents("It is used by Android.") == []


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("The honeybee waggle dance was decoded by Konrad Lorenz.",
         "The honeybee waggle dance is a behaviour decoded by Karl von Frisch.", True),
        ("SQLite's UPSERT follows the syntax established by MySQL.",
         "UPSERT in SQLite follows the syntax established by PostgreSQL, with generalizations.",
         True),
        ("Hubble was launched aboard the Space Shuttle Challenger.",
         "The Hubble Space Telescope was launched on 24 April 1990 aboard the Space Shuttle "
         "Discovery.", True),
        # another deed
        ("The waggle dance was decoded by Karl von Frisch.",
         "The waggle dance was filmed by Konrad Lorenz.", False),
        # another subject
        ("The telephone was invented by Alexander Graham Bell.",
         "The phonograph was invented by Thomas Edison.", False),
        # the same name among others
        ("The language was designed by Guido van Rossum.",
         "The language was designed by Guido van Rossum and a small team.", False),
    ],
)
def test_the_same_deed_by_another_name(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(agent_conflict(claim, sentence, flat, NONE)) is conflict


def test_preferences_read_both_sides() -> None:
    [p] = preferences("it carries oxygen with hemocyanin, a copper-rich protein, instead of "
                      "iron-based hemoglobin.")
    assert "hemoglobin" in p.rejected and "protein" in p.chosen


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("Most of an octopus's neurons are in its central brain rather than in its arms.",
         "About two thirds of an octopus's neurons are located in its eight arms rather than "
         "in its central brain.", True),
        ("Octopus blood carries oxygen with iron-based hemoglobin.",
         "Their blood carries oxygen with hemocyanin, a copper-rich protein, instead of "
         "iron-based hemoglobin.", True),
        # the same preference twice
        ("Use BEGIN IMMEDIATE instead of BEGIN for writers.",
         "Writers should use BEGIN IMMEDIATE instead of BEGIN.", False),
        # the claim names both: no plain statement of the rejected one
        ("Octopus blood uses hemocyanin and not hemoglobin.",
         "Their blood carries oxygen with hemocyanin instead of hemoglobin.", False),
        # another subject
        ("Human blood carries oxygen with iron-based hemoglobin.",
         "Octopus blood carries oxygen with copper instead of iron-based hemoglobin.", False),
    ],
)
def test_what_one_says_instead_of_what(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(preference_conflict(claim, sentence, flat, NONE)) is conflict


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("The page cache holds 2000 pages by default, so it grows with the page size.",
         "The default cache holds 2000 pages worth of bytes, regardless of page size.", True),
        ("The query cost does not depend on the table size.",
         "The query cost grows with the table size.", True),
        # another object
        ("The cache grows with the page size.", "The cache is fixed regardless of the schema.",
         False),
        # another subject
        ("The index grows with the table size.",
         "The journal is written regardless of the table size.", False),
    ],
)
def test_depends_on_it_or_not(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(dependency_conflict(claim, sentence, flat, NONE)) is conflict


def test_since_versions() -> None:
    assert since_versions("Write-ahead logging was introduced in SQLite 3.6.0 in 2008.") == {
        "3.6.0"}
    assert since_versions("Beginning with version 3.7.0 (2010-07-21), WAL is available.") == {
        "3.7.0"}
    assert since_versions("Older versions prior to 3.7.0 cannot read it.") == set()


@pytest.mark.parametrize(
    ("claim", "sentence", "conflict"),
    [
        ("Write-ahead logging was introduced in version 3.6.0 in 2008.",
         'Beginning with version 3.7.0 (2010-07-21), a new "Write-Ahead Log" option is '
         "available.", True),
        # another thing arriving in another version
        ("The RETURNING clause was added in version 3.35.0.",
         "Generated columns were added in version 3.31.0.", False),
        # both versions named: a history, not a disagreement
        ("Write-ahead logging was introduced in version 3.7.0.",
         "Write-ahead logging is available since version 3.7.0 and was improved in 3.8.0.",
         False),
    ],
)
def test_since_when(claim: str, sentence: str, conflict: bool) -> None:
    assert bool(since_conflict(claim, sentence, flat, NONE)) is conflict


def test_not_past_an_auxiliary() -> None:
    claim = "SQLite has a storage class set aside for storing dates and times."
    sentence = "SQLite does not have a storage class set aside for storing dates and/or times."
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # "have" after a modal: a rule or a perfect, not the verb the other sentence states
        ("Which of those columns are PRIMARY KEY columns.",
         "The column may not have a PRIMARY KEY or UNIQUE constraint."),
        ("The database connection is closed at shutdown.",
         "The database connection must not have been closed."),
        # a second case inside the sentence
        ("All pages within the same database are the same size.",
         "For a single database file, all pages are the same size, though for different "
         "database files, the page size can be any power of two."),
        # an instruction's step is no subject for "rather than"
        ("Delete the journal file.",
         "The transaction commits by zeroing the header rather than deleting the journal file."),
        # a preference the other way round, about another thing
        ("Nobody believes the format should use SQLite as its container instead of ZIP.",
         "The option causes the input file to be read as a ZIP archive instead of as an SQLite "
         "database file."),
    ],
)
def test_official_pages_near_misses_do_not_contradict(claim: str, sentence: str) -> None:
    """Pairs of sentences of the SQLite documentation that the rules once set against each
    other (or would have, with the frames): none is a contradiction."""
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS
    assert compare(sentence, claim, flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("All connections that open the same name share one and the same in-memory database.",
         "Connections that open the same name each create independent in-memory databases."),
        ("The busy timeout is given in seconds.", "The busy timeout is given in milliseconds."),
        ("The AUTOINCREMENT keyword is free.",
         "The AUTOINCREMENT keyword has overhead."),
    ],
)
def test_antonyms_same_subject(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


def test_alternative_groups_and_a_plain_default() -> None:
    groups = frozenset(alternative_groups("Transactions can be DEFERRED, IMMEDIATE, or EXCLUSIVE."))
    assert groups == {frozenset(toks("deferred", "immediate", "exclusive"))}
    assert exclusive(toks("IMMEDIATE"), toks("DEFERRED"), groups)
    assert not exclusive(toks("IMMEDIATE"), toks("IMMEDIATE"), groups)
    claim = "A plain BEGIN in SQLite starts an IMMEDIATE transaction."
    sentence = "The default transaction behavior is DEFERRED."
    assert default_conflict(claim, sentence, flat, NONE, groups)
    assert compare(claim, sentence, flat, groups=groups).relation is Relation.CONTRADICTS
    # without the sources' list, or about another thing, no conflict
    assert default_conflict(claim, sentence, flat, NONE) is None
    assert default_conflict("A plain BEGIN starts an IMMEDIATE lock.",
                            "The default journal mode is DEFERRED.", flat, NONE, groups) is None


def test_two_parallel_sentences_on_listed_alternatives_do_not_contradict() -> None:
    """The sources list DELETE and UPDATE as alternatives; the pages on each say the same of
    its own statement: both true (the slot rules do not read the lists)."""
    groups = frozenset(alternative_groups("You may not execute a DELETE, INSERT, or UPDATE "
                                          "statement on a view."))
    claim = "The ORDER BY clause on a DELETE statement is used only to find the rows."
    sentence = "The ORDER BY clause on an UPDATE statement is used only to find the rows."
    assert compare(claim, sentence, flat, groups=groups).relation is not Relation.CONTRADICTS


def test_a_default_in_a_question_is_no_statement() -> None:
    assert default_conflict(
        "It is disabled by default in the shell for foreign keys.",
        "Developers make no assumptions about whether foreign keys are enabled by default.",
        flat, NONE) is None


def test_the_check_disputes_a_default_by_the_sources_list_of_alternatives() -> None:
    """Through the cross-source check: the official page lists the alternatives in one
    sentence and gives the default in the next; the pool reads the list."""
    decoy = Evidence("decoy", "A plain BEGIN starts an IMMEDIATE transaction, so it takes the "
                     "write lock at once.", url="https://forum.example/", n=1)
    official = Evidence("official", "Transactions can be DEFERRED, IMMEDIATE, or EXCLUSIVE. "
                        "The default transaction behavior is DEFERRED.",
                        url="https://sqlite.example/lang_transaction.html")
    pool = EvidencePool([decoy, official])
    [sent] = cited_sentences("A plain BEGIN starts an IMMEDIATE transaction [1].")
    found = assess(sent, {1: decoy}, pool, use_judge=False)
    assert found.conflict is not None and found.conflict.key == "official"
    assert settle(found, {}, pool).status is ClaimStatus.DISPUTED


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # the sentence's default is of "this setting", named elsewhere
        ("Foreign key constraints are disabled by default (for backwards compatibility), so "
         "must be enabled separately for each database connection.",
         "C-language interface. In order to maintain backwards compatibility, this setting is "
         "ON by default."),
        # the default of another thing, in a sentence that also names the claim's words
        ("The default transaction behavior is DEFERRED.",
         "The default journaling mode is DELETE, which is the default behavior of deleting the "
         "rollback journal file at the end of each transaction, as described above."),
        # "at the same time" is no "same", and "as long as" a condition
        ("This allows separate database connections to share the same in-memory database.",
         "This means that separate threads are allowed to use SQLite at the same time, as long "
         "as each thread is using a different database connection."),
    ],
)
def test_official_disputes_of_the_evaluation_are_no_contradictions(claim: str,
                                                                   sentence: str) -> None:
    """Disputes between two official pages the evaluation's reports showed with the
    frames' first version (bench/research_eval.py --show-disputes)."""
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


def test_on_and_off_listed_by_the_sources_do_not_set_the_slot() -> None:
    groups = frozenset(alternative_groups("The setting can be ON or OFF."))
    claim = ("Foreign key constraints are disabled by default (for backwards compatibility), so "
             "must be enabled separately for each database connection.")
    sentence = "In order to maintain backwards compatibility, this setting is ON by default."
    assert compare(claim, sentence, flat, groups=groups).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # a value listed among others is no single value
        ('The ON DELETE and ON UPDATE action associated with each foreign key in an SQLite '
         'database is one of "NO ACTION", "RESTRICT", "SET NULL", "SET DEFAULT" or "CASCADE".',
         "This macro determines the default value of the PRAGMA synchronous setting. If not "
         "overridden at compile-time, the default setting is 2 (FULL)."),
        # "assuming" is a condition
        ('Transactions involving multiple attached databases are atomic, assuming that the main '
         'database is not ":memory:" and the journal_mode is not WAL.',
         "3. The PRAGMA journal_mode is not OFF, MEMORY, or WAL"),
        # builds for other systems are not the default builds
        ("SQLite builds for other operating systems do not contain a VFS by default, but the "
         "application can register one or more at run-time.",
         "Default builds of SQLite contain appropriate VFS objects for talking to underlying "
         "operating system, and those VFS objects will contain operating system calls."),
    ],
)
def test_the_rules_earlier_official_disputes_are_no_contradictions(claim: str,
                                                                   sentence: str) -> None:
    """Disputes between two official pages the evaluation showed before the frames: a
    list, a condition, another case."""
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


def test_an_opposite_in_an_aside_is_no_contradiction() -> None:
    claim = ("An alternative to the VACUUM command is auto-vacuum mode, enabled using the "
             "auto_vacuum pragma.")
    sentence = ("Executing a PRAGMA auto_vacuum statement is not an error (since unknown "
                "PRAGMAs are silently ignored), but does not return a value.")
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS
    # out of the parentheses, the opposite still counts
    assert compare("The auto_vacuum pragma is enabled by the shell.",
                   "The auto_vacuum pragma is ignored by the shell.",
                   flat).relation is Relation.CONTRADICTS
