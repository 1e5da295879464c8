"""The notes calls of one report are sent each passage once, decided by the report's order
of calls (``research/sendonce.py``): a passage an earlier call was sent whole is left out
unless it is its source's best one, one sent cut still gives its other relevant sentences,
and a call is sent the same whenever it runs."""

from __future__ import annotations

from durable_research.research.relevant import ELISION
from durable_research.research.sendonce import Claim, ledger_after, send_once

A1 = "Tardigrades live in moss. Mosses dry out."
B1 = "Water bears survive space. Space is cold."
A2 = ("Tardigrades eat green algae. Rain falls in spring. Cats sleep all day. "
      "These tardigrades moult quite often.")
B2 = "Some tardigrades eat other tardigrades."
RANKED = [("a", A1, 3.0), ("b", B1, 2.5), ("a", A2, 2.0), ("b", B2, 1.0)]
EAT = "What do tardigrades eat?"
OTHER = [("b", B2, 3.0), ("a", A1, 2.0), ("a", A2, 1.0), ("c", "Rain cools moss.", 0.5)]
RAIN = "rain in spring"


def test_a_passage_goes_whole_to_the_first_call_in_the_reports_order() -> None:
    # The best passage of each source whole; the others cut to the sentences sharing a
    # term with the sub-question, one that refers back with the sentence before it.
    cut = (f"Tardigrades eat green algae.\n{ELISION}\nCats sleep all day. These tardigrades "
           "moult quite often.")
    sent, claims = send_once(RANKED, EAT, {})
    assert sent == [("a", A1), ("b", B1), ("a", cut), ("b", B2)]
    assert claims[A1] == Claim() and claims[B2] == Claim()
    assert claims[A2].units and Claim() != claims[A2]
    # B2 went whole to the first call but is the best of b here: kept, so every source
    # can be quoted. A2 went cut: its relevant sentences the first call was not sent come.
    first = ledger_after([(RANKED, EAT)])
    assert send_once(OTHER, RAIN, first)[0] == [
        ("b", B2), ("a", A1), ("a", "Rain falls in spring."), ("c", "Rain cools moss.")]
    # Sent whole to an earlier call and not the source's best: left out.
    both = ledger_after([(RANKED, EAT), (OTHER, RAIN)])
    assert send_once([("b", B1, 3.0), ("b", B2, 2.0)], EAT, both)[0] == [("b", B1)]
    # A1 went whole to the first call: as a later call's best passage it goes as its
    # sentences on that call's sub-question (the first call read the rest).
    assert send_once([("a", A1, 3.0)], "Where do tardigrades live?", both)[0] == [
        ("a", "Tardigrades live in moss.")]


def test_a_call_is_sent_the_same_whichever_call_runs_first() -> None:
    # What a call is sent depends on the calls before it in the report's order, not on
    # which of them ran: the second call works out the first one's part itself.
    second = send_once(OTHER, RAIN, ledger_after([(RANKED, EAT)]))
    assert second == send_once(OTHER, RAIN, ledger_after([(RANKED, EAT)]))
    # A passage is claimed by the first call that sent it: a later one claims no more.
    assert ledger_after([(RANKED, EAT), (OTHER, RAIN)])[A2] == \
        ledger_after([(RANKED, EAT)])[A2]


def test_a_passage_with_nothing_relevant_stays_free() -> None:
    ranked = [("a", A1, 2.0), ("a", B1, 1.0)]
    sent, claims = send_once(ranked, EAT, {})
    assert sent == [("a", A1)] and B1 not in claims
    # Nothing of B1 was sent to the first call, so it is not in its ledger: the next
    # call gets it.
    later = send_once([("a", A2, 2.0), ("a", B1, 1.0)], "space travel",
                      ledger_after([(ranked, EAT)]))[0]
    assert later == [("a", A2), ("a", B1)]
