"""The citation check's work done ahead, kept in the worker's memory until the check runs.

``prepare_check`` runs while the report's summary is written (an LLM call of its own): it
reads every gathered source, indexes their sentences (``EvidencePool``) and assesses each
cited sentence of the written sections. ``check_citations`` then assesses only the
summary's sentences before its first judge call. Measured on a deep report (8 sections,
~100 sources, 260 cited sentences): that work was 1.6-1.9 s between the summary and the
first judge call, on the report's critical path (``bench/research_bench.py
--critical-path``).

A memo is an optimisation only: the check uses it when the same worker prepared the same
check (the same run, draft key, sources and judge setting), and otherwise does the work
itself, with the same result (the assessment of a sentence depends on its text, its
citation numbers, the sources and the judge setting alone).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from durable_research.contract.citations import Reference
    from durable_research.research.citations import CitedSentence
    from durable_research.research.crosscheck import Assessment
    from durable_research.research.evidence import Evidence, EvidencePool

# Checks prepared and not yet run, per worker process: a few reports at once at most
# (each holds its sources' texts and index: megabytes).
MAX_PREPARED = 4

# What identifies a source in the pool: its key (the text's hash), number and origin.
SourceId = tuple[str, int, str, str, str]


def source_ids(refs: Iterable[Reference]) -> tuple[SourceId, ...]:
    """The sources of a pool as comparable values (their texts follow from the hashes)."""
    return tuple((r.content_hash, r.n, r.title, r.url, r.kind) for r in refs)


def sentence_id(sent: CitedSentence) -> tuple[str, tuple[int, ...]]:
    """What a sentence's assessment depends on, besides the pool: its text and citations."""
    return sent.sentence, tuple(sent.cites)


@dataclass
class Prepared:
    """A check's sources, their index and the assessments of the sentences seen so far."""

    ids: tuple[SourceId, ...]
    sources: list[Evidence]
    pool: EvidencePool
    use_judge: bool
    assessed: dict[tuple[str, tuple[int, ...]], Assessment]

    def assessment(self, sent: CitedSentence) -> Assessment:
        """A copy of ``sent``'s assessment located at ``sent`` (the summary before the
        sections moves them in the draft; ``settle`` changes the copy)."""
        found = self.assessed[sentence_id(sent)]
        return replace(found, sentence=sent, supporters=list(found.supporters),
                       questions=list(found.questions))


class CheckMemo:
    """Prepared checks by (workflow run, draft key); each is taken once."""

    def __init__(self, size: int = MAX_PREPARED) -> None:
        """An empty memo keeping at most ``size`` prepared checks (the oldest go first)."""
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], Prepared] = OrderedDict()

    def put(self, run: str, key: str, prepared: Prepared) -> None:
        """Keep ``prepared`` for the check of ``key`` in ``run``."""
        with self._lock:
            self._items[(run, key)] = prepared
            self._items.move_to_end((run, key))
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def take(self, run: str, key: str, sources: tuple[SourceId, ...],
             use_judge: bool) -> Prepared | None:
        """The check prepared for ``key`` in ``run`` if it has these sources and judge
        setting; it is removed either way (a retry of the check does its own work)."""
        with self._lock:
            prepared = self._items.pop((run, key), None)
        if prepared is None or prepared.use_judge != use_judge or \
                prepared.ids != sources:
            return None
        return prepared
