"""Recall of local-document search over a report's searches, for tests and ``bench``.

A question set names, per report question, the sub-questions a plan would search for and
the gold documents a careful researcher would use. A report's searches find a gold
document when any of them ranks it in its top ``k`` (the research keeps a few documents
per sub-question). ``plain`` is the search this replaced (one query, BM25 over 120-word
windows of body text, a document scoring as its best window), kept here as the
baseline; ``current`` is :func:`localdocs.search_collection` as the workflow calls it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from durable_research.research.localdocs import load_collection, search_collection, tokenize
from durable_research.store import ArtifactStore, get_text, text_key

Search = Callable[[str, Sequence[str], int], list[str]]  # (query, context queries, k) -> names


@dataclass
class EvalQuestion:
    """One report question, its searches and the documents that should be found."""

    question: str
    gold: list[str]
    subquestions: list[str] = field(default_factory=list)


@dataclass
class Recall:
    """What a search found over a question set."""

    found: int = 0
    gold: int = 0
    # Questions whose searches put a decoy document in their top k.
    with_decoy: int = 0
    questions: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Gold documents found / gold documents (over all questions)."""
        return self.found / self.gold if self.gold else 0.0


def load_questions(path: Path) -> tuple[list[EvalQuestion], list[str]]:
    """The questions and decoy document names of a question file (JSON)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = [EvalQuestion(question=q["question"], gold=list(q["gold"]),
                              subquestions=list(q.get("subquestions") or []))
                 for q in data["questions"]]
    return questions, list(data.get("decoys") or [])


def measure(search: Search, questions: Sequence[EvalQuestion], k: int,
            decoys: Sequence[str] = ()) -> Recall:
    """Recall@k of ``search`` over each question's searches (its sub-questions, each with
    the question as context; the question alone when it has none)."""
    out = Recall(questions=len(questions))
    for q in questions:
        searches = [(s, [q.question]) for s in q.subquestions] or [(q.question, [])]
        seen: set[str] = set()
        for query, context in searches:
            seen.update(search(query, context, k))
        out.gold += len(q.gold)
        out.found += sum(1 for g in q.gold if g in seen)
        out.missed += [f"{g} ({q.question})" for g in q.gold if g not in seen]
        out.with_decoy += any(d in seen for d in decoys)
    return out


def current(store: ArtifactStore, key: str, embedder: Any = None) -> Search:
    """The search as the workflow runs it (fields, fused queries, optional embeddings)."""
    def search(query: str, context: Sequence[str], k: int) -> list[str]:
        return [h.url for h in search_collection(store, key, query, k, context,
                                                 embedder=embedder)]
    return search


def _old_tokenize(text: str) -> list[str]:
    """The tokens of the search this replaced: only bm25s' 33 stopwords left out."""
    from bm25s.stopwords import STOPWORDS_EN

    return tokenize(text, frozenset(STOPWORDS_EN))


def plain(store: ArtifactStore, key: str, words: int = 120, step: int = 100) -> Search:
    """The search before fields and fusion: the query alone over word windows."""
    import bm25s

    docs = load_collection(store, key)
    windows: list[tuple[int, list[str]]] = []
    for n, doc in enumerate(docs):
        text = get_text(store, text_key(doc.content_hash)).split()
        for start in range(0, max(1, len(text) - (words - step)), step):
            windows.append((n, _old_tokenize(" ".join(text[start:start + words]))))
    index = bm25s.BM25()
    index.index([tokens for _, tokens in windows], show_progress=False)
    vocab = {t for _, tokens in windows for t in tokens}

    def search(query: str, context: Sequence[str], k: int) -> list[str]:
        known = [t for t in dict.fromkeys(_old_tokenize(query)) if t in vocab]
        if not known:
            return []
        best: dict[int, float] = {}
        for (n, _), score in zip(windows, index.get_scores(known), strict=True):
            if score > 0 and score > best.get(n, 0.0):
                best[n] = float(score)
        ranked = sorted(best, key=lambda n: (-best[n], docs[n].name))
        return [docs[n].name for n in ranked[:k]]
    return search
