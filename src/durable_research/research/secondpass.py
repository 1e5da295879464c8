"""The second pass of a local search: what a careful researcher does after the first hits.

They search again with the words the best passages use (pseudo-relevance feedback,
:mod:`feedback`), and they follow the links of the pages they read: a page that several
of the best hits link to is probably one to read too (co-citation). Both give one more
ranking, fused with the first ones by reciprocal rank, so each can lift a document that
ranked just outside the top, never bury one that ranked first.

Measured on the evaluation set (``bench/eval``, 19 questions, recall@10 of the gold
documents over the fake planner's searches; decided before tuning: the odd-numbered
questions tune, the even-numbered ones are held out): see :class:`Tuning` and
``docs/research-quality.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """How much of the second pass a search does (zeros: none, the search before it).

    Measured on the odd-numbered questions of bench/eval (29 gold documents; recall@10 over
    the fake planner's searches / over the questions' clauses, and the questions with a decoy
    in a top 10; first pass: 25 / 25 found, decoys 9 / 8):
    - feedback from the best passage of each of the 5 best documents, its 10 best words as
      a list of their own at half weight: 27 / 28 found, decoys 8 / 7. 3 or 8 documents:
      27 / 25 found; 5 or 20 words: 27 / 26; the query's words mixed in (RM3's lambda 0.2 to
      0.5): 25 / 26, they rank in their own list already; full weight: as good here, but
      the fixture of tests/data/retrieval loses a document at 1; a quarter: 27 / 28, more
      decoys at 5; only words found in 2 of the feedback passages: 27 / 27, decoys 7 / 5.
    - then links: a document linked from 2 of the 10 best, at a quarter weight: 27 / 27
      found, decoys 6 / 4 (the decoy pages link to no official page and none links to
      them); a tenth: 27 / 27, decoys 7 / 5, fewer at 5 (24 / 25 against 24 / 27); half:
      27 / 27, decoys 4 / 3, fewer at 5 (22 / 21); full: 24 / 20; linked from 3: 27 / 26;
      from 2 of the 5 best: 27 / 28, decoys 6 / 6. Links alone (no feedback): 27 / 27, decoys 9 / 8.
    Measured and left as they were (no gain on the odd questions): a document scored as its
    best passage plus a quarter or half of its second (25 found), the fusion constant 20 or
    100 instead of 60 (25), heading weight 1.0, title weight 0.5 or 2.0 (25), the context
    queries' weight 0.25 or 1.0 (25, 27 with more decoys).
    """

    feedback_docs: int = 5
    feedback_terms: int = 10
    feedback_weight: float = 0.5
    link_docs: int = 10
    link_min: int = 2
    link_weight: float = 0.25


SECOND_PASS = Tuning()
# The search before the second pass (for the benchmark's before/after in one run).
FIRST_PASS_ONLY = Tuning(feedback_docs=0, link_docs=0)


def linked_ranking(top: Sequence[int], links: Mapping[int, Sequence[int]], minimum: int,
                   order: Mapping[int, int]) -> list[int]:
    """Documents linked to from at least ``minimum`` of the ``top`` ones, most linked
    first, ties by ``order`` (their rank in the first pass; unranked ones last)."""
    counts = Counter(target for doc in top for target in set(links.get(doc, ())) if target != doc)
    chosen = [doc for doc, count in counts.items() if count >= max(1, minimum)]
    return sorted(chosen, key=lambda d: (-counts[d], order.get(d, len(order)), d))
