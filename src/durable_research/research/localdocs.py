"""Search a local-documents collection: BM25 over heading-aware passages, fused queries,
optional dense embeddings, preferred paths first.

The collection itself (ingest, manifest) is :mod:`collection`; its API is re-exported
here, the one entry point for local documents. Indexes are built from the store (never
the user's files) and cached per collection key.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import text_key
from durable_research.research.authority import by_authority, local_authority
from durable_research.research.chunking import Passage, chunk
from durable_research.research.collection import (
    Collection,
    CollectionDoc,
    ingest_paths,
    load_collection,
)
from durable_research.research.fielded import BODY, HEADING, TITLE, FieldedBM25, name_words
from durable_research.research.fusion import CONTEXT_WEIGHT, rrf
from durable_research.research.passages import MARKS, STOPWORDS
from durable_research.research.scripts import NO_SPACE_CHARS, bigrams
from durable_research.research.types import SearchHit
from durable_research.store import ArtifactStore, get_text

__all__ = ["Collection", "CollectionDoc", "clear_cache", "ingest_paths", "load_collection",
           "search_collection", "tokenize"]

T = TypeVar("T")

# Preferred documents move ahead within this many times the results asked for.
AUTHORITY_WINDOW = 2
# How deep a dense (embedding) ranking goes: every document has some cosine similarity.
DENSE_DEPTH = 2
MAX_SNIPPET_CHARS = 300
CACHE_SIZE = 8
# Passage vectors are large (1,000 passages of 1,536 floats: 6 MB): fewer are kept.
DENSE_CACHE_SIZE = 2
# Letters and digits with their combining marks (a Devanagari vowel sign is no word break).
_TOKEN = re.compile(f"(?:[^\\W_]|[{MARKS}])+(?:_+(?:[^\\W_]|[{MARKS}])+)*")
# Han, kana, Hangul, Thai, Lao, Khmer, Burmese: indexed as character bigrams (scripts).
_CJK = re.compile(f"[{NO_SPACE_CHARS}]")
_CJK_SPLIT = re.compile(f"[{NO_SPACE_CHARS}]+|[^{NO_SPACE_CHARS}]+")


def _stem(word: str) -> str:
    """A light plural folding (``studies`` -> ``study``), the same for queries and texts."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without English stopwords; CJK runs become character bigrams.

    The stopwords are the project's (:data:`passages.STOPWORDS`): queries are questions, and
    their "how", "does", "which" otherwise match every FAQ heading and question-shaped
    sentence (bm25s' own list of 33 words keeps them). An identifier with underscores
    (``foreign_keys``, ``SQLITE_BUSY``) is a token and so is each of its parts, so that
    prose ("foreign keys") and code find each other.
    """
    tokens: list[str] = []
    # NFKC: full-width letters and digits are the plain ones.
    for run in _CJK_SPLIT.findall(unicodedata.normalize("NFKC", text).lower()):
        if _CJK.match(run):
            tokens += bigrams(run)
            continue
        for word in _TOKEN.findall(run):
            parts = [p for p in word.split("_") if p]
            word = "_".join(parts)
            if len(word) > 1 and word not in STOPWORDS:
                tokens.append(_stem(word))
            if len(parts) > 1:
                tokens += [_stem(p) for p in parts if len(p) > 1 and p not in STOPWORDS]
    return tokens


@dataclass
class _Index:
    docs: list[CollectionDoc]
    passages: list[tuple[int, Passage]]  # (document number, passage)
    fields: FieldedBM25


def _build_index(store: ArtifactStore, key: str) -> _Index:
    """Split every document into passages and index them with BM25 (the slow part)."""
    docs = load_collection(store, key)
    passages = [(n, p) for n, doc in enumerate(docs)
                for p in chunk(get_text(store, text_key(doc.content_hash)))]
    titles = [tokenize(f"{doc.title} {name_words(doc.name)}") for doc in docs]
    fields = FieldedBM25.build({BODY: [tokenize(p.text) for _, p in passages],
                                HEADING: [tokenize(p.heading) for _, p in passages],
                                TITLE: [titles[n] for n, _ in passages]})
    return _Index(docs, passages, fields)


_cache: OrderedDict[str, _Index] = OrderedDict()
_dense_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()
_building: dict[str, threading.Lock] = {}


def _cached(cache: OrderedDict[str, T], key: str, build: Callable[[], T],
            size: int = 0) -> T:
    """``cache[key]``, built once per key even when several searches ask at once."""
    # Keys are content hashes, so what is cached for a key is valid in every store.
    with _cache_lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        lock = _building.setdefault(key, threading.Lock())
    with lock:  # other keys stay searchable meanwhile
        with _cache_lock:
            if key in cache:
                return cache[key]
        built = build()
        with _cache_lock:
            cache[key] = built
            while len(cache) > (size or CACHE_SIZE):
                cache.popitem(last=False)
            _building.pop(key, None)
    return built


def _index(store: ArtifactStore, key: str) -> _Index:
    return _cached(_cache, key, lambda: _build_index(store, key))


class GroupEmbedder(Protocol):
    """What dense ranking needs of an embedder (``embeddings.Embedder``, or a test's stub)."""

    @property
    def model(self) -> str: ...

    def embed_groups(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]: ...


def _dense(index: _Index, key: str, embedder: GroupEmbedder) -> np.ndarray:
    """Unit vectors of every passage (rows in passage order), from the embedding cache."""
    def build() -> np.ndarray:
        groups: dict[int, list[str]] = {}
        for n, passage in index.passages:
            doc = index.docs[n]
            heading = f"{doc.title} > {passage.heading}" if passage.heading else doc.title
            groups.setdefault(n, []).append(f"{heading}\n{passage.text}")
        return np.vstack(embedder.embed_groups(list(groups.values())))

    return _cached(_dense_cache, f"{key}/{embedder.model}", build, DENSE_CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached index and passage vectors (tests; memory)."""
    with _cache_lock:
        _cache.clear()
        _dense_cache.clear()


def _snippet(passage: str, terms: set[str]) -> str:
    """At most 300 characters of ``passage``, starting a little before the first query term."""
    if len(passage) <= MAX_SNIPPET_CHARS:
        return passage
    room = MAX_SNIPPET_CHARS - 2  # for the ellipses
    first = next((m.start() for m in _TOKEN.finditer(passage.lower())
                  if _stem(m.group()) in terms), 0)
    start = min(max(0, first - 60), len(passage) - room)
    if start:
        start = passage.find(" ", start) + 1  # a whole first word
    snippet = passage[start:start + room]
    if start + room < len(passage):
        snippet = snippet.rsplit(" ", 1)[0] + "…"
    return ("…" if start else "") + snippet


def _rank(index: _Index, scores: np.ndarray, depth: int | None = None
          ) -> tuple[list[int], dict[int, int]]:
    """Documents with a positive score, best first (a document scores as its best passage;
    ties by name), at most ``depth`` of them, and each one's best passage."""
    best: dict[int, tuple[float, int]] = {}
    for number in np.flatnonzero(scores > 0).tolist():
        doc_number, score = index.passages[number][0], float(scores[number])
        if doc_number not in best or score > best[doc_number][0]:
            best[doc_number] = (score, number)
    ranked = sorted(best, key=lambda d: (-best[d][0], index.docs[d].name))[:depth]
    return ranked, {d: best[d][1] for d in ranked}


def _queries(query: str, extra: Sequence[str]) -> list[tuple[float, str, list[str]]]:
    """``(weight, text, tokens)`` of each distinct query: the first is the search's own."""
    out: list[tuple[float, str, list[str]]] = []
    seen: set[tuple[str, ...]] = set()
    for n, text in enumerate([query, *extra]):
        terms = tokenize(text)
        if terms and tuple(sorted(set(terms))) not in seen:
            seen.add(tuple(sorted(set(terms))))
            out.append((1.0 if n == 0 else CONTEXT_WEIGHT, text, terms))
    return out


def search_collection(store: ArtifactStore, key: str, query: str, max_results: int,
                      extra_queries: Sequence[str] = (), prefer_paths: Sequence[str] = (),
                      embedder: GroupEmbedder | None = None) -> list[SearchHit]:
    """The collection's documents best matching ``query``, best first.

    Passages are ranked by BM25 over their text and their heads (title, file name,
    headings: :mod:`fielded`); a document ranks as its best passage, which is also its
    snippet. Each of ``extra_queries`` (the report's question, earlier queries) ranks
    too, and with an ``embedder`` every query also ranks passages by cosine similarity;
    the rankings are fused by reciprocal rank (the first query weighs most). Documents
    under ``prefer_paths`` come first among the ``AUTHORITY_WINDOW x max_results`` best.
    """
    queries = _queries(query, extra_queries)
    if not queries or max_results <= 0:
        return []
    index = _index(store, key)
    dense: list[np.ndarray] = []
    if embedder is not None and index.passages:
        vectors = _dense(index, key, embedder)
        # All the queries' vectors in one request (each is cached like any text).
        asked = embedder.embed_groups([[text] for _, text, _ in queries])
        dense = [vectors @ rows[0] for rows in asked]
    rankings: list[tuple[float, list[int]]] = []
    snippets: dict[int, tuple[int, list[str]]] = {}
    for n, (weight, _text, terms) in enumerate(queries):
        ranked, best = _rank(index, index.fields.scores(terms))
        rankings.append((weight, ranked))
        for doc_number in ranked:
            snippets.setdefault(doc_number, (best[doc_number], terms))
        if dense:
            ranked, best = _rank(index, dense[n], DENSE_DEPTH * max_results)
            rankings.append((weight, ranked))
            for doc_number in ranked:
                snippets.setdefault(doc_number, (best[doc_number], terms))
    fused = [doc_number for doc_number, _ in rrf(rankings)]
    ordered = by_authority(fused, lambda d: local_authority(index.docs[d].name, prefer_paths),
                           AUTHORITY_WINDOW * max_results)
    hits = []
    for doc_number in ordered[:max_results]:
        doc = index.docs[doc_number]
        passage_number, terms = snippets[doc_number]
        hits.append(SearchHit(url=doc.name, title=doc.title, kind=SourceKind.LOCAL,
                              snippet=_snippet(index.passages[passage_number][1].text,
                                               set(terms)),
                              content_hash=doc.content_hash))
    return hits
