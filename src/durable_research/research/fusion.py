"""Reciprocal-rank fusion: one ranking from several (queries, BM25 and dense rankers).

RRF needs no score calibration between rankers (a BM25 score and a cosine are not
comparable) and is robust to one ranker's outliers: each list contributes
``weight / (k + rank)`` per item (Cormack, Clarke and Büttcher, SIGIR 2009).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# The constant of the original paper: damps the difference between the first few ranks,
# so an item found by several lists beats one found first by a single list.
RRF_K = 60
# Weight of context queries (the report's question around a sub-question, earlier
# queries) against the main one: the main query leads where they disagree. On
# tests/data/retrieval 0.25 to 1.0 give the same recall; 1.0 lets a decoy in more often.
CONTEXT_WEIGHT = 0.5


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
