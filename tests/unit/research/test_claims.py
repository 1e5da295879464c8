"""The claim rules (research/claims.py): a part of a sentence compared on its own."""

from __future__ import annotations

import pytest

from durable_research.research.claims import Relation, compare


def flat(_token: str) -> float:
    return 1.0


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # the part names what differs
        ("The default journal mode is WAL, so readers never block writers.",
         "The default journal mode is DELETE."),
        # the other sentence names nothing the claim lacks
        ("By default the option is on, so SQLite enforces FOREIGN KEY constraints.",
         "By default the option is off."),
        # a name in the claim's other part ("RabbitMQ") and one in the sentence ("TCP"):
        # still the same port (a decoy of tests/data/conflict_docs; a rule that skipped
        # such a part, merged and reverted on 2026-12-07, let it through)
        ("Out of the box the broker listens on port 5672 by default, the same port as "
         "RabbitMQ, which can confuse your firewall rules.",
         "The broker listens on TCP port 7450 by default."),
    ],
)
def test_a_part_still_contradicts_on_its_subject(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


def test_a_word_does_not_face_the_word_after_a_number() -> None:
    # the value in "off"'s place is 50; "more" is what the sentence says of it ("values
    # differ: off vs more" between two official pages in the research eval's reports)
    claim = "The default setting is off, meaning that CHECK constraints are enforced by default."
    sentence = "The default setting is 50 which is more than adequate for most applications."
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("The default journal mode is WAL.", "The default journal mode is DELETE."),
        ("The default synchronous setting is NORMAL.", "The default synchronous setting is FULL."),
    ],
)
def test_a_value_still_faces_a_value(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize("claim", [
    "Whether or not temporary files other than the rollback, super, and statement journals "
    "are written to disk or stored only in memory depends on the SQLITE_TEMP_STORE "
    "compile-time parameter, the temp_store pragma, and on the size of the temporary file.",
    "Temporary files are written to disk or not depending on the temp_store pragma.",
])
def test_or_not_is_an_alternative_not_a_denial(claim: str) -> None:
    # "whether or not temporary files are ..." denies nothing: it was "one of them says
    # not" against the official "This option controls whether temporary files are stored
    # on disk or in memory" (two official pages in the research eval's reports)
    sentence = "This option controls whether temporary files are stored on disk or in memory."
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


def test_a_plain_not_still_denies() -> None:
    assert compare("Temporary files are not written to disk by default.",
                   "Temporary files are written to disk by default.",
                   flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # "The default setting is off" is PRAGMA ignore_check_constraints'; the sentence's
        # setting belongs to reverse_unordered_selects, which the claim never names ("opposite
        # words: off vs enabled" between two official pages in the research eval's reports)
        ("The default setting is off, meaning that CHECK constraints are enforced by default.",
         "This option causes the PRAGMA reverse_unordered_selects setting to be enabled by "
         "default."),
        # an option the sentence names, of another thing than the claim speaks of
        ("By default the option is on, so SQLite enforces FOREIGN KEY constraints.",
         "The legacy_alter_table option is off by default."),
    ],
)
def test_two_settings_of_two_owners_do_not_contradict(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # the sentence names the setting the claim names
        ("The PRAGMA reverse_unordered_selects setting is off by default.",
         "This option causes the PRAGMA reverse_unordered_selects setting to be enabled by "
         "default."),
        # the sentence's setting or option belongs to what the claim speaks of
        ("The default setting is off, so CHECK constraints are enforced.",
         "The PRAGMA ignore_check_constraints setting is on by default."),
        ("By default the option is on, so SQLite enforces FOREIGN KEY constraints.",
         "The SQLITE_DEFAULT_FOREIGN_KEYS option is off by default."),
        # the port decoy's shape: "TCP port" is a kind of port, not a setting's owner
        ("The broker listens on port 5672 by default.",
         "The broker listens on TCP port 7450 by default."),
        # forum-4 (a decoy of the evaluation corpus) against its official sentence
        ("Foreign key constraints are enforced by default, so ON DELETE CASCADE will just "
         "work out of the box.",
         "Foreign key constraints are disabled by default (for backwards compatibility), so "
         "must be enabled separately for each database connection."),
    ],
)
def test_a_setting_of_one_owner_still_contradicts(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # "Each PRIMARY KEY, UNIQUE" is the head of a list of constraints, not a statement
        # about a primary key ("one of them says not" against the foreign-key page)
        ("Each PRIMARY KEY, UNIQUE, NOT NULL and CHECK constraint has a default conflict "
         "resolution algorithm.",
         "The parent key columns named in the foreign key constraint are not the primary key "
         "of the parent table and are not subject to a unique constraint using collating "
         "sequence specified in the CREATE TABLE, or"),
        # "Whether or not temporary files other than the rollback" is cut from a list of
        # journals ("opposite words: temporary vs persistent" against compile.html)
        ("Whether or not temporary files other than the rollback, super, and statement "
         "journals are written to disk or stored only in memory depends on the "
         "SQLITE_TEMP_STORE compile-time parameter, the temp_store pragma, and on the size of "
         "the temporary file.",
         "This option sets the size limit on rollback journal files in persistent journal mode "
         "and exclusive locking mode and on the size of the write-ahead log file in WAL "
         "mode."),
    ],
)
def test_an_item_of_a_list_is_not_compared_on_its_own(claim: str, sentence: str) -> None:
    # two official pages set against each other in the research eval's reports
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # "NOT NULL" is a constraint's keyword: a list of constraints read as "not NULL,
        # CHECK, UNIQUE" denied them all (official pages of the evaluation corpus)
        ("Generated columns may have NOT NULL, CHECK, and UNIQUE constraints, and foreign key "
         "constraints, just like ordinary columns.",
         "The other constraints - NOT NULL, CHECK, UNIQUE, PRIMARY KEY and FOREIGN KEY "
         "constraints - impose restrictions on the table data."),
        ("CHECK constraints, FOREIGN KEY constraints, UNIQUE constraints, type constraints on "
         "STRICT tables - any of these might be violated in the recovered database.",
         "UPSERT does not intervene for failed NOT NULL, CHECK, or foreign key constraints or "
         "for constraints that are implemented using triggers."),
        # "or NOT NULL" is a list's last keyword, not the alternative of "whether or not":
        # read as one, the claim's NOT NULL denied nothing and its NULL stood un-negated
        # against the other page's NOT NULL (three pairs of official pages, disputes8's scan)
        ("So the full 12-step procedure above is appropriate for dropping a column, changing "
         "the order of columns, adding or removing a UNIQUE constraint or PRIMARY KEY, adding "
         "CHECK or FOREIGN KEY or NOT NULL constraints, or changing the datatype for a column, "
         "for example.",
         "Generated columns may have NOT NULL, CHECK, and UNIQUE constraints, and foreign key "
         "constraints, just like ordinary columns."),
        ("So the full 12-step procedure above is appropriate for dropping a column, changing "
         "the order of columns, adding or removing a UNIQUE constraint or PRIMARY KEY, adding "
         "CHECK or FOREIGN KEY or NOT NULL constraints, or changing the datatype for a column, "
         "for example.",
         "UPSERT does not intervene for failed NOT NULL, CHECK, or foreign key constraints or "
         "for constraints that are implemented using triggers."),
    ],
)
def test_a_keyword_in_capitals_denies_no_list(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("Foreign key constraints are NOT enforced by default.",
         "Foreign key constraints are enforced by default."),
        # the keyword still denies its own word (two official pages: a rowid table's
        # quirk against the rule)
        ("Columns of the PRIMARY KEY are allowed to be NULL.",
         "Columns that are part of the PRIMARY KEY are implicitly NOT NULL."),
    ],
)
def test_a_not_in_capitals_still_denies(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is Relation.CONTRADICTS

