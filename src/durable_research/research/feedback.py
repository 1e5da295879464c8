"""Pseudo-relevance feedback: a second query made of the words the best passages share.

A careful researcher reads the first hits and searches again with their vocabulary: the
question says "share an in-memory database", the in-memory page answers with "URI
filenames" and "cache=shared", and the page on URI filenames never says "in-memory
database" often enough to rank on the question alone. This is RM3 (Lavrenko and Croft
2001; Abdul-Jaleel et al. 2004) over passages: each feedback passage lends its words in
proportion to its share of the feedback score and the word's share of the passage, and
the word's inverse document frequency keeps the words every page says ("sqlite",
"database") from leading the expansion. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence


def idf(df: int, size: int) -> float:
    """BM25's inverse document frequency of a word found in ``df`` of ``size`` passages."""
    return math.log(1.0 + (size - df + 0.5) / (df + 0.5))


def expansion_terms(passages: Sequence[tuple[float, Sequence[str]]], df: Mapping[str, int],
                    size: int, query: Collection[str], count: int) -> dict[str, float]:
    """The ``count`` best expansion words of the feedback ``passages`` (``(score, tokens)``),
    with weights summing to 1; the query's own words are left out.

    ``df`` counts the passages of the whole collection holding each word (``size`` of them).
    A word found in no other passage than one feedback passage is left out: searching for it
    finds only that passage again, which the first query already found.
    """
    total = sum(score for score, tokens in passages if tokens and score > 0)
    if total <= 0 or count <= 0:
        return {}
    weights: dict[str, float] = {}
    for score, tokens in passages:
        if not tokens or score <= 0:
            continue
        share = score / total
        for word, tf in Counter(tokens).items():
            if word not in query and df.get(word, 0) > 1:
                weight = share * tf / len(tokens) * idf(df[word], size)
                weights[word] = weights.get(word, 0.0) + weight
    best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:count]
    norm = sum(w for _, w in best)
    return {word: w / norm for word, w in best} if norm > 0 else {}
