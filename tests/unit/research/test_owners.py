"""Whose setting a statement speaks of (research/owners.py)."""

from __future__ import annotations

import pytest

from durable_research.research.owners import other_owner, owners
from durable_research.research.statements import tokens


@pytest.mark.parametrize(("text", "named"), [
    ("This option causes the PRAGMA reverse_unordered_selects setting to be enabled by "
     "default.", "reverse_unordered_selects"),
    ("The legacy_alter_table option is off by default.", "legacy_alter_table"),
    ("PRAGMA foreign_keys is off by default.", "foreign_keys"),
    ("It depends on the temp_store pragma.", "temp_store"),
    ("Each NOT NULL and CHECK constraint has a default conflict resolution algorithm.",
     "CHECK"),
])
def test_the_name_a_setting_is_given(text: str, named: str) -> None:
    assert owners(text) == set(tokens(named))


@pytest.mark.parametrize("text", [
    "The default setting is off.",
    "This option sets the size limit on rollback journal files.",
    # plain words name nothing; a sentence's first word is capitalised anyway
    "Foreign key constraints are disabled by default.",
    "The parent key columns named in the foreign key constraint are not the primary key.",
    # a port is no setting: "TCP port" is the broker's port (the fixture corpus's decoy)
    "The broker listens on TCP port 7450 by default.",
])
def test_no_name_no_owner(text: str) -> None:
    assert owners(text) == set()


def test_a_sentence_naming_its_setting_speaks_of_it_alone() -> None:
    sentence = "This option causes the PRAGMA reverse_unordered_selects setting to be enabled."
    assert other_owner("The default setting is off.", sentence)
    assert not other_owner("The reverse_unordered_selects setting is off.", sentence)
    # the other way round the sentence may leave its setting to its page
    assert not other_owner("The reverse_unordered_selects setting is off.",
                           "The default setting is on.")
