"""BM25 over passages with fields: the body, the section headings and the document title.

A passage's score is ``sum(weight x BM25 of the field)`` (a simple BM25F): a query word in
the title or a heading says "this is about it", which a word in passing does not.
Headings and title are each indexed with their words once, per passage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

BODY, HEADING, TITLE = "body", "heading", "title"
# Measured on tests/data/retrieval (20 documents, 5 questions, recall of the gold documents
# over a report's searches at 1-3 documents per search): with the stopwords right, body
# alone reaches 0.91 / 1.0 / 1.0; a title weight of 1 finds the document it misses at 1;
# heading weights above 1 let the FAQ decoy in more often (its headings are questions,
# like the queries). Headings count half, titles fully.
FIELD_WEIGHTS: dict[str, float] = {BODY: 1.0, HEADING: 0.5, TITLE: 1.0}
_NAME_PARTS = re.compile(r"[_\-.]+")


def name_words(name: str) -> str:
    """The words of a document's file name (``guides/lang_vacuum.html`` -> ``lang vacuum``)."""
    stem = name.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return _NAME_PARTS.sub(" ", stem)


@dataclass
class _Field:
    index: Any  # a bm25s.BM25, or None when no passage has a token in this field
    vocab: frozenset[str]


@dataclass
class FieldedBM25:
    """One BM25 index per field over the same passages; ``scores`` combines them."""

    fields: dict[str, _Field]
    size: int

    @classmethod
    def build(cls, fields: Mapping[str, list[list[str]]]) -> FieldedBM25:
        """Index tokenised passage fields (each a list in passage order, same length)."""
        sizes = {len(tokens) for tokens in fields.values()}
        if len(sizes) > 1:
            raise ValueError(f"fields of different lengths: {sorted(sizes)}")
        built = {}
        for name, corpus in fields.items():
            if name != BODY:
                # Each word once: a title repeated as the first heading is not twice the news.
                corpus = [list(dict.fromkeys(tokens)) for tokens in corpus]
            built[name] = _bm25(corpus)
        return cls(built, sizes.pop() if sizes else 0)

    def scores(self, terms: list[str],
               weights: Mapping[str, float] = FIELD_WEIGHTS) -> np.ndarray:
        """Every passage's score for the query ``terms`` (0 where nothing matches)."""
        unique = list(dict.fromkeys(terms))
        total = np.zeros(self.size, dtype=np.float32)
        for name, field in self.fields.items():
            known = [t for t in unique if t in field.vocab]
            weight = weights.get(name, 0.0)
            if field.index is not None and known and weight:
                total += weight * np.asarray(field.index.get_scores(known), dtype=np.float32)
        return total

    def weighted_scores(self, terms: Mapping[str, float],
                        weights: Mapping[str, float] = FIELD_WEIGHTS) -> np.ndarray:
        """Every passage's score for a query whose words weigh differently (``{word:
        weight}``, e.g. an expanded query): the weighted sum of each word's scores."""
        total = np.zeros(self.size, dtype=np.float32)
        for name, field in self.fields.items():
            weight = weights.get(name, 0.0)
            if field.index is None or not weight:
                continue
            for term, term_weight in terms.items():
                if term in field.vocab and term_weight:
                    total += weight * term_weight * np.asarray(
                        field.index.get_scores([term]), dtype=np.float32)
        return total


def _bm25(corpus: list[list[str]]) -> _Field:
    import bm25s

    vocab = frozenset(t for tokens in corpus for t in tokens)
    if not vocab:
        return _Field(None, vocab)
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    return _Field(index, vocab)
