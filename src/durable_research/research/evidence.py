"""All gathered sources as one searchable pool of sentences, to check claims across sources.

Pure (no I/O): the caller reads the texts from the artifact store. Sentences are indexed with
BM25 (bm25s), so a claim finds the sentences of every source that speak of the same thing in
milliseconds, even with a hundred sources.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from durable_research.research.citations import text_sentences
from durable_research.research.frames import alternative_groups
from durable_research.research.passages import MARKS, is_number, tokens
from durable_research.research.scripts import fold_text, has_no_space, word_count
from durable_research.research.statements import name_tokens, shingles
from durable_research.research.support import ScoredSource

MAX_SENTENCE_CHARS = 600
# The opening of a source that says what it is about (its title and first lines).
OPENING_CHARS = 600
# A claim this long found word for word in its source is supported by it.
VERBATIM_WORDS = 6
# Neither a letter, digit nor combining mark (a Devanagari vowel sign is part of its word).
_NOT_WORD = re.compile(f"[^\\w{MARKS}]+")


def _plain(text: str) -> str:
    """Folded words separated by single spaces (no punctuation, no Markdown; none between
    two characters of Chinese or Thai: ``scripts.fold_text``)."""
    return f" {fold_text(_NOT_WORD.sub(' ', fold_text(text)))} "
MAX_SENTENCES_PER_SOURCE = 3000


@dataclass
class Evidence:
    """One gathered source: its text (from the store) and where it came from."""

    key: str
    text: str
    title: str = ""
    url: str = ""
    kind: str = ""
    # Its number in the report's References, 0 when it is not (yet) one of them.
    n: int = 0
    _scored: ScoredSource | None = field(default=None, repr=False)
    _shingles: set[tuple[str, ...]] | None = field(default=None, repr=False)
    _names: frozenset[str] | None = field(default=None, repr=False)
    _topic: frozenset[str] | None = field(default=None, repr=False)
    _plain: str | None = field(default=None, repr=False)
    _language: tuple[str, float] | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        """Who published it: the web host (without www.), or the file for a local document."""
        host = urlsplit(self.url).hostname if "://" in self.url else None
        return (host or self.url or self.key).lower().removeprefix("www.")

    @property
    def scored(self) -> ScoredSource:
        """The text split and tokenised for support scores (built once)."""
        if self._scored is None:
            self._scored = ScoredSource(self.text)
        return self._scored

    def states_verbatim(self, claim: str) -> bool:
        """Whether the text holds the claim word for word (punctuation, case and spacing
        aside), a claim of six words at least."""
        words = _plain(claim)
        if word_count(words) < VERBATIM_WORDS:
            return False
        if self._plain is None:
            self._plain = _plain(self.text)
        # A Chinese or Thai claim's edge is no word boundary in its source's run.
        if has_no_space(words[1:2]):
            words = words[1:]
        if has_no_space(words[-2:-1]):
            words = words[:-1]
        return words in self._plain

    @property
    def opening(self) -> str:
        """The source's first characters: its title and what it is about."""
        return self.text[:OPENING_CHARS]

    def _own_language(self) -> tuple[str, float]:
        """The source's language and the detector's confidence (detected once)."""
        from durable_research.research.language import detect_language

        if self._language is None:
            self._language = detect_language(self.text[:4 * OPENING_CHARS])
        return self._language

    def other_language(self, claim: str) -> bool:
        """Whether ``claim`` is surely in another language than this source (a German
        report quoting English pages): their words cannot meet, only a reader can tell."""
        from durable_research.research.language import MIN_CONFIDENCE, detect_language

        theirs, sure = self._own_language()
        mine, claim_sure = detect_language(claim)
        return mine != theirs and min(sure, claim_sure) >= MIN_CONFIDENCE

    def surely_english(self) -> bool:
        """Whether the source is English by the detector's confident guess."""
        from durable_research.research.language import surely_english

        return surely_english(self._own_language())

    @property
    def names(self) -> frozenset[str]:
        """Tokens of the names the source is about: its title and opening (built once).

        What a sentence of it may leave out ("It was designated a World Heritage Site in
        1996" on the page about Lake Baikal); not every name it mentions anywhere: a page on
        the file format that names WAL once is not about WAL in each sentence.
        """
        if self._names is None:
            self._names = frozenset(name_tokens(f"{self.title} {self.text[:OPENING_CHARS]}"))
        return self._names

    @property
    def topic(self) -> frozenset[str]:
        """The words of its title, numbers aside: what each of its sentences is about even
        where it leaves them out ("The default protocol is 4." on the page titled "pickle
        — ..." is about pickle's protocol). Only the title: the opening's names are what the
        page mentions first, not each sentence's subject (a claim on a SELECT's output row
        met "the order of results does not change" on the PRAGMA page, whose opening names
        SELECT). Built once: it is read at every comparison of one of its sentences."""
        if self._topic is None:
            self._topic = frozenset(t for t in tokens(self.title) if not is_number(t))
        return self._topic

    @property
    def shingles(self) -> set[tuple[str, ...]]:
        """Word 8-grams of the text (built once), to tell copies from independent sources."""
        if self._shingles is None:
            self._shingles = shingles(self.text)
        return self._shingles


@dataclass(frozen=True)
class Unit:
    """A sentence of a source, with the sentence before it (its context for the judge)."""

    key: str
    sentence: str
    before: str = ""


class EvidencePool:
    """Every sentence of every gathered source, indexed for "what else speaks of this?"."""

    def __init__(self, sources: list[Evidence]) -> None:
        """Split each source into sentences and index them (the slow part: once per check)."""
        import bm25s

        self.sources = {s.key: s for s in sources}
        self.units: list[Unit] = []
        for src in self.sources.values():
            before = ""
            for sentence in text_sentences(src.text)[:MAX_SENTENCES_PER_SOURCE]:
                sentence = sentence[:MAX_SENTENCE_CHARS]
                self.units.append(Unit(src.key, sentence, before))
                # The context shown with the next sentence: a sentence, not a heading
                # ("## Network") or a table row.
                before = sentence if sentence.endswith((".", "!", "?", "。")) and \
                    not sentence.startswith(("#", "|")) else ""
        # Each sentence's place in the pool (its source's sentences are in their order):
        # what the judge reads of a source is put back in the source's order.
        self.index: dict[Unit, int] = {}
        for i, unit in enumerate(self.units):
            self.index.setdefault(unit, i)
        # The values the sources list as alternatives of one slot ("DEFERRED, IMMEDIATE,
        # or EXCLUSIVE"): one for another in two statements is a contradiction (claims).
        self.alternatives = frozenset(g for u in self.units for g in alternative_groups(u.sentence))
        corpus = [tokens(u.sentence) for u in self.units]
        df = Counter(t for toks in corpus for t in set(toks))
        n = max(len(corpus), 1)
        self._idf = {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._rare = math.log(1.0 + (n - 0.5) / 1.5)
        self.retriever: Any = None
        if df:
            self.retriever = bm25s.BM25()
            self.retriever.index(corpus, show_progress=False)

    def weight(self, token: str) -> float:
        """A token's importance: 1 + its IDF over all sentences (unseen words weigh the most).

        The 1 keeps a few sources' weights sane: with two sources, a word both use has an
        IDF near 0 and one word only the claim has would outweigh all they share.
        """
        return 1.0 + self._idf.get(token, self._rare)

    def related(self, claim: str, exclude: set[str], k: int = 12, only: set[str] | None = None,
                extra: Sequence[str] = ()) -> list[tuple[Unit, float]]:
        """The ``k`` sentences most like ``claim`` (and its ``extra`` tokens) of the sources
        not in ``exclude`` (and, when ``only`` is given, in it)."""
        known = [t for t in dict.fromkeys([*tokens(claim), *extra]) if t in self._idf]
        if self.retriever is None or not known:
            return []
        import numpy as np

        scores = self.retriever.get_scores(known)
        # The sentences that share a word, best first (ties in pool order: a stable sort).
        # In numpy: sorting every sentence's index by a Python key was a tenth of a deep
        # report's check (387,000 calls for 261 claims).
        hits = np.flatnonzero(scores > 0.0)
        order = hits[np.argsort(-scores[hits], kind="stable")]
        out: list[tuple[Unit, float]] = []
        for i in order.tolist():
            if len(out) >= k:
                break
            key = self.units[i].key
            if key not in exclude and (only is None or key in only):
                out.append((self.units[i], float(scores[i])))
        return out
