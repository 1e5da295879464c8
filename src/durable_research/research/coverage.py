"""How much of a query its best passage answers: the weight of that query's ranking.

A report's search fuses several queries' rankings (a plan's sub-question, the report's
question around it). A planner's sub-question can miss the point ("What did experiments
in space show about ...?"), and the question can be what finds the page. A query whose
best passage holds most of the query's words (by their rarity) is one the collection
answers; one whose best passage holds a common word or two of it is a poor guide, and its
ranking should count for less in the fusion (a query-performance predictor: Cronen-
Townsend et al., SIGIR 2002; Zhou and Croft, SIGIR 2007). Pure functions, no I/O.

Measured on the evaluation set (``bench/eval``, recall@10 of the gold documents over the
fake planner's searches, tuned on the odd-numbered questions, the even ones held out):
``docs/research-quality.md``, "Recall@10 0.93, held out 0.90: each query weighed by what
its best passage answers".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from durable_research.research.feedback import idf


def coverage(terms: Sequence[str], passage_words: Collection[str], df: Mapping[str, int],
             size: int) -> float:
    """The share (0 to 1) of the query ``terms``' rarity (BM25's IDF over ``size``
    passages, ``df`` passages holding each word) that ``passage_words`` holds.

    Each distinct word counts once; a word no passage holds counts as the rarest (it is
    part of what was asked, and no passage answers it). No terms: 0.
    """
    weights = {term: idf(df.get(term, 0), size) for term in dict.fromkeys(terms)}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for term, w in weights.items() if term in passage_words) / total
