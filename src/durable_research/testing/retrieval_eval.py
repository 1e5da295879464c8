"""Recall of local-document search over a report's searches, for tests and ``bench``.

A question set names, per report question, the sub-questions a plan would search for and
the gold documents a careful researcher would use. A report's searches find a gold
document when any of them ranks it in its top ``k`` (the research keeps a few documents
per sub-question). ``plain`` is the search this replaced (one query, BM25 over 120-word
windows of body text, a document scoring as its best window), kept here as the
baseline; ``current`` is :func:`localdocs.search_collection` as the workflow calls it
(with ``tuning=FIRST_PASS_ONLY``: as it was before its second pass).

The evaluation set's questions are split once, before any tuning: the odd-numbered ones
(1st, 3rd, ...) tune, the even-numbered ones are held out (:func:`split`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from durable_research.contract.keys import text_key
from durable_research.research.localdocs import load_collection, search_collection
from durable_research.research.secondpass import SECOND_PASS, Tuning
from durable_research.store import ArtifactStore, get_text

Search = Callable[[str, Sequence[str], int], list[str]]  # (query, context queries, k) -> names


@dataclass
class EvalQuestion:
    """One report question, its searches and the documents that should be found."""

    question: str
    gold: list[str]
    subquestions: list[str] = field(default_factory=list)
    # Pages with wrong or shallow facts on this question's topic.
    decoys: list[str] = field(default_factory=list)


@dataclass
class Recall:
    """What a search found over a question set."""

    found: int = 0
    gold: int = 0
    # Questions whose searches put a decoy document in their top k.
    with_decoy: int = 0
    questions: int = 0
    missed: list[str] = field(default_factory=list)
    searches: int = 0
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        """Gold documents found / gold documents (over all questions)."""
        return self.found / self.gold if self.gold else 0.0

    @property
    def ms_per_search(self) -> float:
        """Wall time of one search, on average (milliseconds)."""
        return 1000 * self.seconds / self.searches if self.searches else 0.0


def split(questions: Sequence[EvalQuestion]) -> dict[str, list[EvalQuestion]]:
    """The question set, its tuning part (odd-numbered questions) and its held-out part."""
    return {"all": list(questions), "tuning (odd)": list(questions[0::2]),
            "held out (even)": list(questions[1::2])}


def load_questions(path: Path) -> tuple[list[EvalQuestion], list[str]]:
    """The questions and the set's decoy document names, from a question file (JSON:
    ``gold`` or ``gold_docs``, optional ``subquestions`` and per-question ``decoys``), or
    from one question with its gold data (``tests/data/conflict_docs.json``: its
    ``decoys`` are wrong facts, each naming its ``decoy_doc``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = [EvalQuestion(question=q["question"], gold=list(q.get("gold", q.get("gold_docs"))),
                              subquestions=list(q.get("subquestions") or []),
                              decoys=list(q.get("decoys") or []) if "questions" in data else [])
                 for q in data.get("questions") or [data]]
    decoys = [d["decoy_doc"] if isinstance(d, dict) else d for d in data.get("decoys") or []]
    return questions, list(dict.fromkeys(decoys))


_CLAUSE_BREAK = re.compile(r",\s+(?:and|or)\s+")


def clauses(question: str) -> list[str]:
    """The clauses of a compound question ("How does X work, and when is Y used?"): a
    mechanical stand-in for a plan's sub-questions when a question set has none."""
    parts = [p.strip(" ?") for p in _CLAUSE_BREAK.split(question)]
    return [p for p in parts if len(p.split()) >= 3] if len(parts) > 1 else []


def measure(search: Search, questions: Sequence[EvalQuestion], k: int,
            decoys: Sequence[str] = (), split: bool = False) -> Recall:
    """Recall@k of ``search`` over each question's searches: its sub-questions (with
    ``split``, else the question's :func:`clauses`), each with the question as context;
    the question alone when it has none."""
    out = Recall(questions=len(questions))
    for q in questions:
        subquestions = q.subquestions or (clauses(q.question) if split else [])
        searches = [(s, [q.question]) for s in subquestions] or [(q.question, [])]
        seen: set[str] = set()
        for query, context in searches:
            started = time.perf_counter()
            seen.update(search(query, context, k))
            out.seconds += time.perf_counter() - started
            out.searches += 1
        out.gold += len(q.gold)
        out.found += sum(1 for g in q.gold if g in seen)
        out.missed += [f"{g} ({q.question})" for g in q.gold if g not in seen]
        out.with_decoy += any(d in seen for d in [*decoys, *q.decoys])
    return out


def current(store: ArtifactStore, key: str, embedder: Any = None,
            prefer_paths: Sequence[str] = (), tuning: Tuning = SECOND_PASS) -> Search:
    """The search as the workflow runs it (fields, fused queries, second pass, optional
    embeddings and preferred paths)."""
    def search(query: str, context: Sequence[str], k: int) -> list[str]:
        return [h.url for h in search_collection(store, key, query, k, context, prefer_paths,
                                                 embedder, tuning)]
    return search


def _old_tokenize(text: str) -> list[str]:
    """The tokens of the search this replaced (frozen here): only bm25s' 33 stopwords left
    out, identifiers not split, CJK runs as character bigrams."""
    from bm25s.stopwords import STOPWORDS_EN

    from durable_research.research.localdocs import _CJK, _CJK_SPLIT, _TOKEN, _stem

    tokens: list[str] = []
    for run in _CJK_SPLIT.findall(text.lower()):
        if _CJK.match(run):
            tokens += [run[i:i + 2] for i in range(len(run) - 1)] or [run]
        else:
            tokens += [_stem(w) for w in _TOKEN.findall(run)
                       if len(w) > 1 and w not in STOPWORDS_EN]
    return tokens


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

    def search(query: str, context: Sequence[str], k: int) -> list[str]:  # noqa: ARG001 - the shared signature
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
