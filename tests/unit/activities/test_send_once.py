"""The notes calls of one report are sent each passage once (``take_notes``'s ledger in the
run's folder, on a real folder store): a passage another call was sent whole is left out
unless it is its source's best one, one sent cut still gives its other relevant sentences,
and a retry of the same call is sent what it was sent."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.research.relevant import ELISION
from tests.support.helpers import env_for

A1 = "Tardigrades live in moss. Mosses dry out."
B1 = "Water bears survive space. Space is cold."
A2 = ("Tardigrades eat green algae. Rain falls in spring. Cats sleep all day. "
      "These tardigrades moult quite often.")
B2 = "Some tardigrades eat other tardigrades."
RANKED = [("a", A1, 3.0), ("b", B1, 2.5), ("a", A2, 2.0), ("b", B2, 1.0)]
EAT = "What do tardigrades eat?"


async def test_a_passage_goes_to_one_notes_call_of_the_report(tmp_path: Path) -> None:
    writing = WritingActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))
    first, second = env_for("report-1/q1"), env_for("report-1/q2")
    # The best passage of each source whole; the others cut to the sentences sharing a
    # term with the sub-question, one that refers back with the sentence before it.
    cut = (f"Tardigrades eat green algae.\n{ELISION}\nCats sleep all day. These tardigrades "
           "moult quite often.")
    sent = [("a", A1), ("b", B1), ("a", cut), ("b", B2)]
    assert await first.run(writing._send_once, RANKED, "q1-notes", EAT) == sent
    # B2 was sent whole to q1 but is the best of b here: kept, so every source can be
    # quoted. A2 went cut: its relevant sentences q1 was not sent still come.
    other = [("b", B2, 3.0), ("a", A1, 2.0), ("a", A2, 1.0), ("c", "Rain cools moss.", 0.5)]
    kept = await second.run(writing._send_once, other, "q2-notes", "rain in spring")
    assert kept == [("b", B2), ("a", A1), ("a", "Rain falls in spring."),
                    ("c", "Rain cools moss.")]
    # Sent whole before and not the source's best: left out.
    again = await second.run(writing._send_once, [("b", B1, 3.0), ("b", B2, 2.0)],
                             "q3-notes", EAT)
    assert again == [("b", B1)]
    # A retry of q1's call is sent what q1 was sent.
    assert await first.run(writing._send_once, RANKED, "q1-notes", EAT) == sent
    # A1 went whole to q1: as another call's best passage it goes as its sentences on
    # that call's sub-question (q1 read the rest).
    live = await env_for("report-1/q4").run(writing._send_once, [("a", A1, 3.0)],
                                            "q4-notes", "Where do tardigrades live?")
    assert live == [("a", "Tardigrades live in moss.")]


async def test_a_passage_with_nothing_relevant_stays_free(tmp_path: Path) -> None:
    writing = WritingActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))
    env = env_for("report-1/q1")
    ranked = [("a", A1, 2.0), ("a", B1, 1.0)]
    assert await env.run(writing._send_once, ranked, "q1-notes", EAT) == [("a", A1)]
    # Nothing of B1 was sent to q1, so it is not in q1's ledger: q2 gets it.
    later = await env_for("report-1/q2").run(writing._send_once, [("a", A2, 2.0),
                                                                ("a", B1, 1.0)],
                                             "q2-notes", "space travel")
    assert later == [("a", A2), ("a", B1)]
