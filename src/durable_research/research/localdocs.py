"""Local documents as a searchable collection: ingest into the artifact store, search with BM25.

A collection is a manifest (names, titles, text hashes) stored content-addressed under
``collections/<sha256>``; the texts are under ``texts/<sha256>``. Workers read only the
store, never the user's files, so a collection made by the client works on any worker.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from durable_research.errors import UserError
from durable_research.research.types import SearchHit, SourceKind
from durable_research.store import ArtifactStore, content_hash, get_text, put_text, text_key
from durable_research.store.errors import StoreError

PASSAGE_WORDS = 120
PASSAGE_STEP = 100  # 20 words of overlap, so a phrase cut at a boundary is still found
MAX_SNIPPET_CHARS = 300
MAX_SKIPPED_LISTED = 200
CACHE_SIZE = 8
_TOKEN = re.compile(r"\w+")
# Han, kana and Hangul are written without spaces: index them as character bigrams.
_CJK_CHARS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
_CJK_SPLIT = re.compile(f"[{_CJK_CHARS}]+|[^{_CJK_CHARS}]+")


@dataclass
class CollectionDoc:
    """One document of a collection; ``name`` is for display only, never opened again."""

    name: str
    title: str
    content_hash: str
    chars: int


@dataclass
class Collection:
    """A stored collection: its manifest key, its documents and the files left out (why)."""

    key: str
    docs: list[CollectionDoc] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _candidates(path: Path) -> Iterator[tuple[str, Path]]:
    """``(display name, file)`` for a file, or for every visible file under a folder, sorted."""
    if path.is_file():
        yield path.name, path
        return
    for root, dirs, files in os.walk(path):
        # Hidden folders (.git, .venv) hold no documents meant for a report.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            file = Path(root, name)
            yield file.relative_to(path).as_posix(), file


def ingest_paths(store: ArtifactStore, paths: list[Path], max_files: int = 2000,
                 max_total_bytes: int = 500_000_000) -> Collection:
    """Extract files and folders (recursively) into the store as one collection.

    Raises:
        UserError: A path does not exist, there are too many files or bytes, or no
            supported document was found at all.
    """
    from durable_research.research.extract import SUPPORTED_SUFFIXES, ExtractError, extract_file

    docs: dict[str, CollectionDoc] = {}
    skipped: list[str] = []
    seen: set[Path] = set()
    total_files = total_bytes = 0
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise UserError(f"no such file or folder: {given}", "check the --sources path")
        for name, file in _candidates(path):
            real = file.resolve()
            if real in seen:  # listed twice, or a file inside a folder also given
                continue
            seen.add(real)
            if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(f"{name}: unsupported file type")
                continue
            try:
                total_bytes += file.stat().st_size
            except OSError as exc:
                skipped.append(f"{name}: cannot read ({exc.strerror or exc})")
                continue
            total_files += 1
            if total_files > max_files or total_bytes > max_total_bytes:
                raise UserError(
                    f"the sources hold more than {max_files} documents or {max_total_bytes:,} "
                    f"bytes (reached at {name} under {given})",
                    "point --sources at a smaller folder or at fewer files")
            try:
                extracted = extract_file(file)
            except ExtractError as exc:
                skipped.append(f"{name}: {str(exc).replace(str(file), name)}")
                continue
            if name in docs:  # the same relative name under two given folders
                base = f"{(path if path.is_dir() else path.parent).resolve().name}/{name}"
                name, count = base, 1
                while name in docs:
                    count += 1
                    name = f"{base} ({count})"
            digest = put_text(store, extracted.text)
            docs[name] = CollectionDoc(name=name, title=extracted.title or name,
                                       content_hash=digest, chars=len(extracted.text))
    if not docs:
        supported = " ".join(SUPPORTED_SUFFIXES)
        raise UserError("no readable document found in the given sources",
                        f"supported file types: {supported}")
    if len(skipped) > MAX_SKIPPED_LISTED:
        skipped = skipped[:MAX_SKIPPED_LISTED] + [
            f"... and {len(skipped) - MAX_SKIPPED_LISTED} more"]
    ordered = [docs[name] for name in sorted(docs)]
    manifest = {"version": 1, "docs": [asdict(d) for d in ordered], "skipped": skipped}
    data = json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode("utf-8")
    key = f"collections/{content_hash(data)}"
    if not store.exists(key):
        store.put(key, data)
    return Collection(key=key, docs=ordered, skipped=skipped)


def load_collection(store: ArtifactStore, key: str) -> list[CollectionDoc]:
    """The documents of the collection stored under ``key``.

    Raises:
        ArtifactMissingError: No such collection in this store.
        StoreError: The key is not a collection or the manifest is damaged.
    """
    if not key.startswith("collections/"):
        raise StoreError(f"not a collection key: {key[:80]!r}")
    try:
        manifest = json.loads(store.get(key))
        return [CollectionDoc(**doc) for doc in manifest["docs"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"damaged collection manifest {key!r}: {exc}") from exc


def _stem(word: str) -> str:
    """A light plural folding (``studies`` -> ``study``), the same for queries and texts."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without English stopwords; CJK runs become character bigrams."""
    from bm25s.stopwords import STOPWORDS_EN

    tokens: list[str] = []
    for run in _CJK_SPLIT.findall(text.lower()):
        if _CJK.match(run):
            pairs = [run[i:i + 2] for i in range(len(run) - 1)]
            tokens += pairs or [run]
        else:
            tokens += [_stem(w) for w in _TOKEN.findall(run)
                       if len(w) > 1 and w not in STOPWORDS_EN]
    return tokens


def _passages(text: str) -> list[str]:
    words = text.split()
    starts = range(0, max(1, len(words) - (PASSAGE_WORDS - PASSAGE_STEP)), PASSAGE_STEP)
    return [" ".join(words[s:s + PASSAGE_WORDS]) for s in starts]


@dataclass
class _Index:
    docs: list[CollectionDoc]
    passages: list[tuple[int, str]]  # (document number, passage text)
    retriever: Any  # a bm25s.BM25, or None when no document has a single token
    vocab: set[str]


def _build_index(store: ArtifactStore, key: str) -> _Index:
    """Split every document into passages and index them with BM25 (the slow part)."""
    import bm25s

    docs = load_collection(store, key)
    passages = [(n, p) for n, doc in enumerate(docs)
                for p in _passages(get_text(store, text_key(doc.content_hash)))]
    corpus = [tokenize(p) for _, p in passages]
    vocab = {t for tokens in corpus for t in tokens}
    if not vocab:
        return _Index(docs, passages, None, vocab)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    return _Index(docs, passages, retriever, vocab)


_cache: OrderedDict[str, _Index] = OrderedDict()
_cache_lock = threading.Lock()


def _index(store: ArtifactStore, key: str) -> _Index:
    # Keys are content hashes, so an index cached for a key is valid in every store.
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    built = _build_index(store, key)  # outside the lock: other collections stay searchable
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def clear_cache() -> None:
    """Forget every cached index (tests; memory)."""
    with _cache_lock:
        _cache.clear()


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


def search_collection(store: ArtifactStore, key: str, query: str,
                      max_results: int) -> list[SearchHit]:
    """The collection's documents best matching ``query`` (BM25 over passages, best first).

    A document scores as its best passage, which is also its snippet.
    """
    terms = tokenize(query)
    if not terms or max_results <= 0:
        return []
    index = _index(store, key)
    known = [t for t in dict.fromkeys(terms) if t in index.vocab]
    if index.retriever is None or not known:
        return []
    scores = index.retriever.get_scores(known)
    best: dict[int, tuple[float, int]] = {}
    for number, score in enumerate(scores):
        doc_number = index.passages[number][0]
        if score > 0 and (doc_number not in best or score > best[doc_number][0]):
            best[doc_number] = (float(score), number)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], index.docs[item[0]].name))
    hits = []
    for doc_number, (_, passage_number) in ranked[:max_results]:
        doc = index.docs[doc_number]
        hits.append(SearchHit(url=doc.name, title=doc.title, kind=SourceKind.LOCAL,
                              snippet=_snippet(index.passages[passage_number][1], set(known)),
                              content_hash=doc.content_hash))
    return hits
