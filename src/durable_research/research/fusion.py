"""Reciprocal-rank fusion: one ranking from several (queries, BM25 and dense rankers).

RRF needs no score calibration between rankers (a BM25 score and a cosine are not
comparable) and is robust to one ranker's outliers: each list contributes
``weight / (k + rank)`` per item (Cormack, Clarke and Büttcher, SIGIR 2009).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# The constant of the original paper: damps the difference between the first few ranks,
# so an item found by several lists beats one found first by a single list.
RRF_K = 60
# Weight of context queries (the report's question around a sub-question) against the
# main one where passages of a source are chosen for the notes (passages.fused_passages):
# the main query leads where they disagree. On tests/data/retrieval 0.25 to 1.0 give the
# same recall; 1.0 lets a decoy in more often. (A local search weighs its queries by
# QueryWeights below.)
CONTEXT_WEIGHT = 0.5
# A local search's context queries (the report's question around a sub-question; in later
# rounds also the sub-question and the earlier rounds' queries) share this weight against
# the main query's 1.0, and each lexical ranking is then weighed by how much of its query
# its best passage answers (localdocs, :mod:`coverage`): a sub-question and the question
# around it count alike, and the one the collection answers better leads; a later round's
# query still weighs as much as all its context together (not measured: the evaluation's
# reports search one round). At 1.0 without the coverage weights, decoys came in more often
# than at 0.5 (bench/eval: a decoy in the top 10 for 15 of 19 questions, not 12); with
# them, 12 of 19 and 2 more gold documents found (docs/research-quality.md).
SEARCH_CONTEXT_WEIGHT = 1.0


@dataclass(frozen=True)
class QueryWeights:
    """How the queries of one search weigh in its fusion."""

    context: float = SEARCH_CONTEXT_WEIGHT  # shared by the context queries; the main one 1.0
    coverage: bool = True  # each lexical ranking times what its best passage answers


QUERY_WEIGHTS = QueryWeights()
# The weights before the coverage weights, for a search with one context query (for the
# benchmark's before/after in one run; before, each context query weighed 0.5).
WEIGHTS_BEFORE = QueryWeights(context=0.5, coverage=False)


def rrf(rankings: Sequence[tuple[float, Sequence[K]]], k: int = RRF_K) -> list[tuple[K, float]]:
    """Fuse ``(weight, ranking best first)`` pairs into ``(item, fused score)``, best first.

    An item missing from a ranking gets nothing from it. Ties keep the order in which
    the items were first met (rankings in order, each best first), so the result is
    deterministic.
    """
    if k < 0:
        raise ValueError(f"RRF constant must not be negative, got {k}")
    scores: dict[K, float] = {}
    for weight, ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])  # stable: first met wins ties
