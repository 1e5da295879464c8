"""Decoy facts in reports (``testing/report_eval.py``, ``testing/decoy_reach.py``): each
stated decoy keeps its sentence, and is told apart as a retrieval miss (the official page
never reached the check) or a checker miss (it did, and the decoy was printed verified)."""

from __future__ import annotations

import pytest

from durable_research.contract.citations import Reference, SourceKind
from durable_research.testing.decoy_reach import (
    HEAD,
    DecoyOutcome,
    Reach,
    check_search,
    reach,
    sent_to_notes,
    table,
)
from durable_research.testing.report_eval import StatedDecoy, score_report

DECOY = {"id": "forum-2", "kind": "number", "decoy_doc": "community/forum.md",
         "decoy_sentence": "SQLite checkpoints once the WAL file reaches 10000 pages.",
         "official_doc": "docs/wal.html",
         "official_sentence": "SQLite checkpoints when the WAL file reaches 1000 pages."}
FORUM = "SQLite checkpoints once the WAL file reaches 10000 pages. Nobody minds."


def test_a_stated_decoy_keeps_the_sentence_the_check_reads() -> None:
    body = ("SQLite checkpoints once the WAL file reaches 10000 pages [1] [disputed]. "
            "Cats sleep a lot [1].")
    refs = [Reference(n=1, url=DECOY["decoy_doc"], kind=SourceKind.LOCAL, content_hash="h")]
    score = score_report(body, refs, lambda _h: FORUM, [], [DECOY])
    assert score.stated == [StatedDecoy(
        "forum-2", "disputed", "SQLite checkpoints once the WAL file reaches 10000 pages.")]
    assert score.decoys_stated == [("forum-2", "disputed")] and score.decoy_disputed == 1


def test_a_page_another_claims_search_found_is_among_the_checks_sources() -> None:
    # the check's sources are one pool: the official page one claim's search found is
    # compared with the decoy's sentence too
    hits = {"SQLite checkpoints once the WAL file reaches 10000 pages.": ["community/forum.md"],
            "The WAL file is checkpointed by the connection.": ["docs/wal.html"]}
    searched = check_search(list(hits), lambda claim: hits[claim])
    assert reach("docs/wal.html", set(), searched) is Reach.SEARCHED


def test_the_official_page_counts_as_read_before_as_searched() -> None:
    assert reach("docs/wal.html", {"docs/wal.html"}, {"docs/wal.html"}) is Reach.READ
    assert reach("docs/wal.html", {"community/forum.md"}, ["docs/wal.html"]) is Reach.SEARCHED
    assert reach("docs/wal.html", set(), ["docs/other.html"]) is Reach.MISSED


def outcome(kind: str, printed: str, where: Reach) -> DecoyOutcome:
    return DecoyOutcome("q1", "x", kind, printed, "docs/wal.html", where)


def test_only_a_verified_decoy_whose_official_page_was_there_is_the_checkers_miss() -> None:
    assert outcome("number", "verified", Reach.SEARCHED).checker_missed
    assert not outcome("number", "verified", Reach.MISSED).checker_missed
    assert not outcome("number", "disputed", Reach.READ).checker_missed


def test_an_unknown_printed_status_is_an_error() -> None:
    with pytest.raises(ValueError, match="corroborated"):
        outcome("number", "corroborated", Reach.READ)


def test_the_table_counts_each_kind_then_all() -> None:
    rows = table([outcome("number", "disputed", Reach.READ),
                  outcome("number", "verified", Reach.MISSED),
                  outcome("date", "unverified", Reach.SEARCHED)])
    assert [dict(zip(HEAD, row, strict=True)) for row in rows] == [
        {"kind": "date", "reached": "1", "disputed": "0", "unverified": "1", "verified": "0",
         Reach.READ: "0", Reach.SEARCHED: "1", Reach.MISSED: "0"},
        {"kind": "number", "reached": "2", "disputed": "1", "unverified": "0", "verified": "1",
         Reach.READ: "1", Reach.SEARCHED: "0", Reach.MISSED: "1"},
        {"kind": "all", "reached": "3", "disputed": "1", "unverified": "1", "verified": "1",
         Reach.READ: "1", Reach.SEARCHED: "1", Reach.MISSED: "1"}]
    assert table([]) == [["all", "0", "0", "0", "0", "0", "0", "0"]]


def test_a_decoy_sentence_counts_as_sent_once_a_notes_prompt_has_it_whole() -> None:
    other = dict(DECOY, id="blog-1", decoy_sentence="Vacuum never shrinks the file.")
    excerpts = ["[S1] Forum\nSQLite checkpoints once the WAL\nfile reaches 10000 pages. Hi",
                "[S2] Blog\nVacuum never shrinks"]
    assert sent_to_notes([DECOY, other], excerpts) == {"forum-2"}
    assert sent_to_notes([DECOY, other], []) == set()
