"""The judge's batches: a check's questions as (claim, excerpt) pairs, each sentence of a
source sent once a batch.

What the judge reads of another source is a few of its sentences closest to the claim
(:func:`crosscheck.closest_sentences`); claims of one report reading one official page
pick overlapping sentences (the research eval: 15 % of the excerpts' words were sentences
already sent for another claim of the report). So the pairs are ordered by source, and
within a batch a source's claims are all asked against one excerpt: the union of the
sentences they chose, in the source's order. ``prompts.judge_prompt`` then sends that
excerpt once with the claims under it. A question read as a passage (its cited source, a
passage with the claim's words spread over it) is sent as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from durable_research.research.crosscheck import Question, sentences_text

# A pair as the judge is asked it: (claim, the excerpt sent).
Pair = tuple[str, str]


@dataclass(frozen=True)
class Batches:
    """The batches of pairs, and the pair each question is answered by."""

    batches: list[list[Pair]]
    pair_of: dict[Question, Pair]


def judge_batches(questions: Sequence[Question], size: int, cap: int) -> Batches:
    """``questions`` in batches of at most ``size`` pairs; a passage is cut at ``cap``
    characters (a union of sentences is not: each of them was chosen for a claim of the
    batch, and sent once it is no longer than the claims' excerpts sent apart)."""
    # A pair asked twice (the summary repeats its sections' sentences, and a claim's own
    # source can be another sentence's other source) is asked once.
    asks: dict[Pair, Question] = {}
    for q in questions:
        asks.setdefault((q.claim, q.passage[:cap]), q)
    order: dict[str, int] = {}
    for q in asks.values():
        order.setdefault(q.key, len(order))
    ordered = sorted(asks.items(), key=lambda item: order[item[1].key])
    batches: list[list[Pair]] = []
    sent_as: dict[Pair, Pair] = {}
    for start in range(0, len(ordered), size):
        chunk = ordered[start : start + size]
        union: dict[str, set[tuple[int, str]]] = {}
        for _pair, q in chunk:
            if q.sentences:
                union.setdefault(q.key, set()).update(q.sentences)
        excerpt = {key: sentences_text(sorted(found)) for key, found in union.items()}
        batch: dict[Pair, None] = {}
        for pair, q in chunk:
            sent = (q.claim, excerpt[q.key]) if q.sentences else pair
            sent_as[pair] = sent
            batch[sent] = None
        batches.append(list(batch))
    pair_of = {q: sent_as[(q.claim, q.passage[:cap])] for q in questions}
    return Batches(batches, pair_of)
