"""Search a local-documents collection: BM25 over heading-aware passages, fused queries,
a second pass (feedback words, links), optional dense embeddings, preferred paths first.

The collection itself (ingest, manifest) is :mod:`collection`; its API is re-exported
here, the one entry point for local documents. Indexes are built from the store (never
the user's files) and cached per collection key.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
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
from durable_research.research.coverage import coverage
from durable_research.research.feedback import expansion_terms
from durable_research.research.fielded import BODY, HEADING, TITLE, FieldedBM25, name_words
from durable_research.research.fusion import QUERY_WEIGHTS, QueryWeights, rrf
from durable_research.research.passages import MARKS, STOPWORDS
from durable_research.research.scripts import NO_SPACE_CHARS, bigrams
from durable_research.research.secondpass import SECOND_PASS, Tuning, linked_ranking
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
    # For feedback: each passage's body tokens as numbers into ``words`` (4 bytes a token,
    # where a list of strings took ~60), and in how many passages' bodies each word is.
    words: list[str]
    body: list[np.ndarray]
    df: dict[str, int]
    links: dict[int, list[int]]  # document number -> the document numbers it links to
    opening: dict[int, int]  # document number -> its first passage's number
    owner: np.ndarray  # passage number -> its document's number
    name_rank: np.ndarray  # document number -> its place in name order (ties)


def _build_index(store: ArtifactStore, key: str) -> _Index:
    """Split every document into passages and index them with BM25 (the slow part)."""
    docs = load_collection(store, key)
    passages = [(n, p) for n, doc in enumerate(docs)
                for p in chunk(get_text(store, text_key(doc.content_hash)))]
    titles = [tokenize(f"{doc.title} {name_words(doc.name)}") for doc in docs]
    body = [tokenize(p.text) for _, p in passages]
    fields = FieldedBM25.build({BODY: body,
                                HEADING: [tokenize(p.heading) for _, p in passages],
                                TITLE: [titles[n] for n, _ in passages]})
    df = Counter(t for tokens in body for t in set(tokens))
    words = list(df)
    number_of = {word: i for i, word in enumerate(words)}
    coded = [np.array([number_of[t] for t in tokens], dtype=np.int32) for tokens in body]
    number = {doc.name: n for n, doc in enumerate(docs)}
    links = {n: [number[t] for t in doc.links if t in number] for n, doc in enumerate(docs)}
    opening: dict[int, int] = {}
    for i, (n, _) in enumerate(passages):
        opening.setdefault(n, i)
    return _Index(docs, passages, fields, words, coded, dict(df),
                  {n: t for n, t in links.items() if t}, opening,
                  np.array([n for n, _ in passages], dtype=np.int64),
                  np.argsort(np.argsort([doc.name for doc in docs], kind="stable")))


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
    # In numpy: a Python loop over the matching passages was most of a search's time
    # (bench/eval's searches: 9.9 ms with it, 3.7 ms without, same results).
    numbers = np.flatnonzero(scores > 0)
    owners, values = index.owner[numbers], scores[numbers]
    # Each document's best passage: by document, then best score (the first of equals).
    order = np.lexsort((-values, owners))
    owners, numbers, values = owners[order], numbers[order], values[order]
    first = np.ones(len(owners), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    owners, numbers, values = owners[first], numbers[first], values[first]
    ranked = np.lexsort((index.name_rank[owners], -values))[:depth]
    return owners[ranked].tolist(), dict(zip(owners[ranked].tolist(),
                                             numbers[ranked].tolist(), strict=True))


def _queries(query: str, extra: Sequence[str], context: float = QUERY_WEIGHTS.context
             ) -> list[tuple[float, str, list[str]]]:
    """``(weight, text, tokens)`` of each distinct query: the first is the search's own,
    the context queries share ``context`` (a later round's query, with the sub-question,
    the question and the earlier rounds' queries around it, still leads)."""
    found: list[tuple[bool, str, list[str]]] = []
    seen: set[tuple[str, ...]] = set()
    for n, text in enumerate([query, *extra]):
        terms = tokenize(text)
        if terms and tuple(sorted(set(terms))) not in seen:
            seen.add(tuple(sorted(set(terms))))
            found.append((n == 0, text, terms))
    share = context / max(1, sum(1 for own, _, _ in found if not own))
    return [(1.0 if own else share, text, terms) for own, text, terms in found]


def _answered(index: _Index, ranked: list[int], best: Mapping[int, int],
              terms: list[str]) -> float:
    """How much of the query ``terms`` the best document's best passage holds (its body,
    heading, title and file name): the weight its ranking gets (:mod:`coverage`)."""
    if not ranked:
        return 0.0
    number = best[ranked[0]]
    owner, passage = index.passages[number]
    doc = index.docs[owner]
    words = {index.words[i] for i in index.body[number].tolist()}
    words.update(tokenize(f"{passage.heading} {doc.title} {name_words(doc.name)}"))
    return coverage(terms, words, index.df, len(index.passages))


def _feedback(index: _Index, first: list[tuple[int, float]],
              snippets: Mapping[int, tuple[int, list[str]]], terms: list[str],
              tuning: Tuning) -> tuple[list[int], dict[int, int]]:
    """The ranking by the words of the first pass's best passages (:mod:`feedback`): its
    documents and their best passages."""
    picked = [(score, [index.words[i] for i in index.body[snippets[doc_number][0]].tolist()])
              for doc_number, score in first[:tuning.feedback_docs]]
    expansion = expansion_terms(picked, index.df, len(index.passages), set(terms),
                                tuning.feedback_terms)
    return _rank(index, index.fields.weighted_scores(expansion)) if expansion else ([], {})


def _second_pass(index: _Index, rankings: list[tuple[float, list[int]]],
                 snippets: dict[int, tuple[int, list[str]]], terms: list[str],
                 tuning: Tuning) -> list[int]:
    """The documents of the fused ``rankings`` with the second pass's rankings fused in
    (:mod:`secondpass`): feedback, then the links of the best documents."""
    first = rrf(rankings)
    if not first:
        return []
    # The second pass's lists weigh relative to the strongest query that found anything
    # (a query that finds nothing changes nothing), and join the same fusion: a document
    # gains a few places from them, the margins the queries gave stay.
    strongest = max(weight for weight, found in rankings if found)
    more: list[tuple[float, list[int]]] = []
    if tuning.feedback_docs:
        ranked, best = _feedback(index, first, snippets, terms, tuning)
        for doc_number in ranked:
            snippets.setdefault(doc_number, (best[doc_number], terms))
        more.append((strongest * tuning.feedback_weight, ranked))
        first = rrf([*rankings, *more])
    if tuning.link_docs and index.links:
        order = {doc_number: rank for rank, (doc_number, _) in enumerate(first)}
        linked = [d for d in linked_ranking([d for d, _ in first[:tuning.link_docs]],
                                            index.links, tuning.link_min, order)
                  if d in index.opening]
        for doc_number in linked:  # one no query found: its opening passage
            snippets.setdefault(doc_number, (index.opening[doc_number], terms))
        more.append((strongest * tuning.link_weight, linked))
        first = rrf([*rankings, *more])
    return [doc_number for doc_number, _ in first]


def search_collection(store: ArtifactStore, key: str, query: str, max_results: int,
                      extra_queries: Sequence[str] = (), prefer_paths: Sequence[str] = (),
                      embedder: GroupEmbedder | None = None,
                      tuning: Tuning = SECOND_PASS,
                      weights: QueryWeights = QUERY_WEIGHTS) -> list[SearchHit]:
    """The collection's documents best matching ``query``, best first.

    Passages are ranked by BM25 over their text and their heads (title, file name,
    headings: :mod:`fielded`); a document ranks as its best passage, which is also its
    snippet. Each of ``extra_queries`` (the report's question, earlier queries) ranks
    too, and with an ``embedder`` every query also ranks passages by cosine similarity;
    the rankings are fused by reciprocal rank (the first query weighs as much as the
    others together, and each lexical ranking by how much of its query its best passage
    holds: :mod:`coverage`). A second
    pass (``tuning``, :mod:`secondpass`) fuses in two more rankings: by the words of the
    best passages (feedback), and by how many of the best documents link to a document.
    Documents under ``prefer_paths`` come first among the ``AUTHORITY_WINDOW x
    max_results`` best.
    """
    queries = _queries(query, extra_queries, weights.context)
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
    # Of several queries, the ones the collection answers lead: a sub-question whose best
    # passage holds little of it ("... protect their DNA?") gives way to the question
    # around it (bench/eval: recall@10 53 -> 55 of 59 gold documents).
    several = len(queries) > 1 and weights.coverage
    for n, (weight, _text, terms) in enumerate(queries):
        ranked, best = _rank(index, index.fields.scores(terms))
        answered = _answered(index, ranked, best, terms) if several else 1.0
        rankings.append((weight * answered, ranked))
        for doc_number in ranked:
            snippets.setdefault(doc_number, (best[doc_number], terms))
        if dense:
            ranked, best = _rank(index, dense[n], DENSE_DEPTH * max_results)
            rankings.append((weight, ranked))
            for doc_number in ranked:
                snippets.setdefault(doc_number, (best[doc_number], terms))
    if dense:
        # Dense vectors already match a passage's meaning beyond its words, which is what
        # feedback words stand in for; with both, feedback lends the lexical side a second
        # vote and buries the documents only the vectors find (tests/e2e/research/
        # test_embeddings.py). Not measured with a real embedding model (none offline).
        tuning = replace(tuning, feedback_docs=0)
    fused = _second_pass(index, rankings, snippets, [t for q in queries for t in q[2]], tuning)
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
