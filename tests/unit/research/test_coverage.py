"""Each query of a search weighed by how much of it its best passage answers (coverage)."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.research import localdocs
from durable_research.research.coverage import coverage
from durable_research.research.feedback import idf
from durable_research.research.localdocs import ingest_paths, search_collection
from durable_research.store.directory import DirectoryStore


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with no cached index."""
    localdocs.clear_cache()


def test_coverage_is_the_share_of_the_query_rarity_held() -> None:
    df = {"network": 2, "database": 90, "file": 30}
    whole = idf(2, 100) + idf(90, 100) + idf(30, 100)
    assert coverage(["network", "database", "file"], {"network", "database", "file"}, df,
                    100) == pytest.approx(1.0)
    # The rare word is most of what was asked: holding only the common one is little.
    assert coverage(["network", "database"], {"database", "other"}, df, 100) == pytest.approx(
        idf(90, 100) / (idf(2, 100) + idf(90, 100)))
    assert coverage(["network", "database", "file", "network"], {"network"}, df,
                    100) == pytest.approx(idf(2, 100) / whole)  # a repeated word counts once
    # A word no passage holds was asked all the same, and weighs as the rarest.
    assert coverage(["dna", "database"], {"database"}, df, 100) == pytest.approx(
        idf(90, 100) / (idf(0, 100) + idf(90, 100)))
    assert coverage([], {"database"}, df, 100) == 0.0


# A planner's sub-question that misses the point, the report's question around it, and a
# folder where the sub-question's common words ("database", "show") are everywhere and its
# point ("experiments in orbit") nowhere; one page answers the question.
SUBQUESTION = "What did experiments in orbit show about the database?"
QUESTION = "Is it safe to keep a database on a network file system?"
DOCS = {
    "network.md": "# Over a network\n\nKeeping a database file on a network file system is "
                  "not safe: file locking over the network is often broken, and the database "
                  "can be corrupted.\n",
    "show.md": "# SHOW statements\n\nSHOW lists the tables of the database. SHOW can also "
               "show the database schema and show the database size.\n",
    "display.md": "# Display\n\nThe shell can show query results of the database as a table "
                  "or show them as a list; it can show a database file's name.\n",
    "system.md": "# System tables\n\nThe system keeps a database of its own settings; show "
                 "them with the settings command.\n",
    "backup.md": "# Backup\n\nCopy the database while nothing writes to it.\n",
    "index.md": "# Indexes\n\nAn index makes a database lookup fast; it costs space on disk.\n",
    "vacuum.md": "# Vacuum\n\nVacuum rebuilds the database to give free pages back.\n",
    "types.md": "# Types\n\nEach value in the database has a type: integer, real or text.\n",
    "dates.md": "# Dates\n\nStore dates in the database as text in ISO format.\n",
    "locking.md": "# Locking\n\nFile locking keeps two writers apart; where locking is "
                  "broken, a file can be corrupted.\n",
    "json.md": "# JSON\n\nJSON functions read documents stored in the database.\n",
}


def test_the_query_the_collection_answers_leads(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [folder]).key
    # The question alone finds the page; the sub-question alone does not.
    assert search_collection(store, key, QUESTION, 1)[0].url == "network.md"
    assert search_collection(store, key, SUBQUESTION, 1)[0].url != "network.md"
    # Fused, the sub-question's best passage holds only its common words, so the question
    # (whose best passage holds nearly all of it) leads: before, the sub-question led at
    # twice the question's weight and its best hit took the one slot.
    hits = search_collection(store, key, SUBQUESTION, 1, [QUESTION])
    assert [h.url for h in hits] == ["network.md"]


def test_context_queries_share_one_weight() -> None:
    # The question around a sub-question counts as much as the sub-question ...
    assert [w for w, _, _ in localdocs._queries("wal mode", ["journal modes"])] == [1.0, 1.0]
    # ... and a later round's query as much as all its context (sub-question, question,
    # an earlier query) together; a context that repeats a query's words is left out.
    weights = [w for w, _, _ in localdocs._queries(
        "checkpoint starvation", ["wal mode", "journal modes", "modes journal", "wal readers"])]
    assert weights == pytest.approx([1.0, 1 / 3, 1 / 3, 1 / 3])
    assert localdocs._queries("the", ["wal mode"]) == [(1.0, "wal mode", ["wal", "mode"])]
