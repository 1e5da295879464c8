"""Where a decoy fact that reached a report went wrong, if it did: retrieval or the check.

A decoy fact (``bench/eval/decoys.json``) stated in a report is printed disputed,
unverified or verified. Printed verified, it is either a retrieval miss (the official page
that contradicts it never reached the check's sources) or a checker miss (the check had
the official page and did not see the contradiction). The check reads the sources
research read and, per claim, the collection's best documents for it
(``activities.checking.COLLECTION_HITS``), all in one pool: a page one claim's search
found is compared with every claim; ``Reach`` says which of them held the official page.
Pure functions, for ``bench/research_eval.py --adversarial`` and its tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# How report_eval prints a stated decoy's sentence ("verified": verified or corroborated).
PRINTED = ("disputed", "unverified", "verified")


class Reach(StrEnum):
    """Where the check found the official page that contradicts a decoy fact."""

    READ = "read by research"
    SEARCHED = "found by the check's search"
    MISSED = "not among the check's sources"


def reach(official: str, read: Collection[str], searched: Collection[str]) -> Reach:
    """Where ``official`` (a document's path) was among the check's sources: the sources
    research read (``read``: cited or not) first, then the search hits of the report's
    claims (``searched``: :func:`check_search`)."""
    if official in read:
        return Reach.READ
    return Reach.SEARCHED if official in searched else Reach.MISSED


def check_search(claims: Sequence[str], search: Callable[[str], Collection[str]]) -> set[str]:
    """The documents the check's own search finds for a report's claims (``search``: a
    claim's best documents): every claim's, not only the decoy's. Counting the decoy's
    alone called cheatsheet-1's official page "not among the check's sources" in a report
    whose judge was sent its sentence (another claim's search had found it)."""
    return {url for claim in claims for url in search(claim)}


@dataclass(frozen=True)
class DecoyOutcome:
    """One decoy fact stated in one report, how it was printed, where its official page was."""

    question: str
    ident: str
    kind: str
    printed: str
    official: str
    reach: Reach

    def __post_init__(self) -> None:
        if self.printed not in PRINTED:  # a new marker must be counted somewhere on purpose
            raise ValueError(f"unknown printed status {self.printed!r}")

    @property
    def checker_missed(self) -> bool:
        """Printed verified although the check had the official page among its sources."""
        return self.printed == "verified" and self.reach is not Reach.MISSED


HEAD = ("kind", "reached", "disputed", "unverified", "verified", *[r.value for r in Reach])


def table(outcomes: Sequence[DecoyOutcome]) -> list[list[str]]:
    """One row per decoy kind and one for all: decoy facts reached, how they were printed,
    and where their official page was (``HEAD`` names the columns)."""
    groups: dict[str, list[DecoyOutcome]] = {}
    for o in outcomes:
        groups.setdefault(o.kind, []).append(o)
    rows = []
    for kind, group in [*sorted(groups.items()), ("all", list(outcomes))]:
        printed = Counter(o.printed for o in group)
        where = Counter(o.reach for o in group)
        rows.append([kind, str(len(group)), *[str(printed[p]) for p in PRINTED],
                     *[str(where[r]) for r in Reach]])
    return rows


def sent_to_notes(decoys: Sequence[dict[str, Any]], notes_prompts: Sequence[str]) -> set[str]:
    """The ids of the decoy facts whose sentence a notes prompt carried whole (whitespace
    aside): the ones a model could note at all, before the notes, the writer and the
    check had their say."""
    sent = [" ".join(p.split()) for p in notes_prompts]
    return {d["id"] for d in decoys
            if any(" ".join(d["decoy_sentence"].split()) in p for p in sent)}
