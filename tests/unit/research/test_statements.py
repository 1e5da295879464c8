"""How a sentence parts into statements (research/statements.py: clauses)."""

from __future__ import annotations

import pytest

from durable_research.research.statements import clauses


@pytest.mark.parametrize("text", [
    "Each PRIMARY KEY, UNIQUE, NOT NULL and CHECK constraint has a default conflict "
    "resolution algorithm.",
    "Temporary files other than the rollback, super, and statement journals are written to "
    "disk.",
    "It depends on the SQLITE_TEMP_STORE compile-time parameter, the temp_store pragma, and "
    "on the size of the temporary file.",
])
def test_the_commas_of_a_list_part_nothing(text: str) -> None:
    assert clauses(text) == [text]


@pytest.mark.parametrize(("text", "parts"), [
    # a statement and its consequence
    ("The default journal mode is WAL, so readers never block writers.",
     ["The default journal mode is WAL", "so readers never block writers."]),
    # a statement and an aside (the port decoy of tests/data/conflict_docs)
    ("Out of the box the broker listens on port 5672 by default, the same port as RabbitMQ, "
     "which can confuse your firewall rules.",
     ["Out of the box the broker listens on port 5672 by default",
      "the same port as RabbitMQ", "which can confuse your firewall rules."]),
    # a short word between commas without "and" or "or" after it is no list
    ("The default setting is off, however, CHECK constraints are still parsed.",
     ["The default setting is off", "however, CHECK constraints are still parsed."]),
    # two items and "and": a statement and another, not a list
    ("The default setting is off, and CHECK constraints are enforced.",
     ["The default setting is off", "and CHECK constraints are enforced."]),
])
def test_the_parts_of_a_sentence_still_part(text: str, parts: list[str]) -> None:
    assert clauses(text) == parts
