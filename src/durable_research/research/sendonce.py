"""Which notes call of a report is sent a passage whole: decided by the report's order of
calls, never by which call ran first. Pure functions.

Sub-questions of one report often rank the same passages of the same sources: a third of
the notes calls' prompt tokens were passages sent before (the research eval). Each passage
goes whole to one notes call, which reads all of it, and the others send only what it
did not: a passage sent whole to another call is left out (unless it is its source's best
one here: then it goes as its sentences on this sub-question, so the sub-question can
still quote every source it found), and one sent cut still gives its other relevant
sentences.

The calls run at once, so first come, first served made the owner of a shared passage,
and with it the notes, the source numbers and the report, depend on timing (four runs of
one report: 28, 24, 23 and 26 cited sentences). The owner is now the first call in the
report's order whose ranking holds the passage: each sub-question's first round in plan
order, then a sub-question's later rounds after its own earlier ones. A call works that
out by ranking what each earlier call read (:class:`~durable_research.research.types.
EarlierNotes`) as that call did (a few milliseconds each), so no call waits for another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from durable_research.research.relevant import focused

# (text id, passage, score), best first: a notes call's ranking (passages.fused_passages).
Ranked = Sequence[tuple[str, str, float]]


@dataclass(frozen=True)
class Claim:
    """What the first call that sent a passage was sent of it: all of it (``units`` None)
    or these units (``relevant.unit_key``s)."""

    units: tuple[str, ...] | None = None


# By passage text: the first call that sent it, and what it sent.
Ledger = dict[str, Claim]


def send_once(ranked: Ranked, query: str, ledger: Mapping[str, Claim]
              ) -> tuple[list[tuple[str, str]], Ledger]:
    """``(text id, excerpt)`` pairs a call ranking ``ranked`` sends, given what the calls
    before it claimed (``ledger``), and what it claims itself (the passages no earlier
    call sent): each source's best passage whole (cut to what bears on ``query`` when an
    earlier call was sent it whole), its others cut (:func:`relevant.focused`), without
    what an earlier call was sent."""
    todo: list[tuple[str, str]] = []
    before: list[tuple[str, ...]] = []
    free: list[bool] = []
    firsts: set[str] = set()
    again: list[int] = []  # best passages an earlier call was sent whole: cut here
    for text_id, passage, _score in ranked:
        first = text_id not in firsts
        firsts.add(text_id)
        owner = ledger.get(passage)
        theirs = owner is not None and not first
        if theirs and owner is not None and owner.units is None:
            continue  # sent whole to an earlier call
        if first and owner is not None and owner.units is None:
            again.append(len(todo))
        todo.append((text_id, passage))
        before.append(owner.units or () if theirs and owner is not None else ())
        free.append(owner is None)
    out: list[tuple[str, str]] = []
    claims: Ledger = {}
    for sent, mine in zip(focused(todo, query, before, again), free, strict=True):
        if not sent.part:
            continue
        if mine:
            claims.setdefault(sent.passage, Claim(None if sent.whole else sent.units))
        out.append((sent.text_id, sent.part))
    return out, claims


def ledger_after(calls: Iterable[tuple[Ranked, str]]) -> Ledger:
    """The ledger once ``(ranking, query)`` calls, in the report's order, have each sent
    their passages: a passage's entry is the first of them that sent it."""
    ledger: Ledger = {}
    for ranked, query in calls:
        _sent, claims = send_once(ranked, query, ledger)
        for passage, claim in claims.items():
            ledger.setdefault(passage, claim)
    return ledger
