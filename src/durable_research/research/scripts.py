"""Text in any script, for matching: scripts written without spaces between words, and the
case- and width-insensitive form quotes are compared in.

Pure functions. Chinese, Japanese and Thai (Lao, Khmer, Burmese too) put no space between
words, so a "word" of ``\\w+`` is a whole clause: matching splits such runs into character
bigrams (over grapheme clusters: a Thai vowel or tone mark stays with its letter), the usual
dictionary-free index for these scripts (Lucene's CJK bigram filter does the same). A
dictionary word breaker (pythainlp, ICU) would give words, but pythainlp installs ~50 MB of
dictionaries and corpora for a tokeniser whose tokens are only compared with each other:
bigrams of a claim meet bigrams of its source just as well. Hangul is written with spaces,
but its words carry particles ("미세플라스틱이"), so it is bigrammed too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Thai, Lao, Burmese, Khmer, kana, CJK ideographs (and extension A, compatibility), Hangul.
NO_SPACE_CHARS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
_NO_SPACE = re.compile(f"[{NO_SPACE_CHARS}]")
# ... and their punctuation (。，「」 and the full-width forms): no space around it either.
_JOINS = re.compile(f"[{NO_SPACE_CHARS}\u3000-\u303f\uff01-\uff65]")


def no_space(char: str) -> bool:
    """Whether ``char`` is of a script written without spaces between words."""
    return _NO_SPACE.match(char) is not None


def has_no_space(text: str) -> bool:
    """Whether ``text`` has a character of a script written without spaces."""
    return _NO_SPACE.search(text) is not None


def clusters(run: str) -> list[str]:
    """``run`` as grapheme clusters: each character with the combining marks after it."""
    out: list[str] = []
    for char in run:
        if out and unicodedata.category(char).startswith("M"):
            out[-1] += char
        else:
            out.append(char)
    return out


def bigrams(run: str) -> list[str]:
    """The cluster bigrams of a run of a no-space script ("微塑料" -> "微塑", "塑料"); a
    run of one cluster is its own token."""
    parts = clusters(run)
    if len(parts) < 2:
        return parts
    return [a + b for a, b in zip(parts, parts[1:], strict=False)]


def word_count(text: str) -> int:
    """Words of ``text`` by whitespace, a run of a no-space script counting one word per
    two characters (a Chinese word is one to three characters; "水熊虫在真空中存活" is about
    four words, not one)."""
    if not has_no_space(text):  # the common case, one regex scan (split_passages: per line)
        return len(text.split())
    return sum(max(1, len(w) // 2) if has_no_space(w) else 1 for w in text.split())


def split_runs(word: str) -> list[tuple[str, bool]]:
    """``word`` cut where it changes between a no-space script and any other: ``(part,
    is no-space)`` pairs ("WAL模式" -> ("WAL", False), ("模式", True)). A combining mark
    goes with the part before it."""
    out: list[tuple[str, bool]] = []
    for char in word:
        kind = no_space(char) if not (out and unicodedata.category(char).startswith("M")) \
            else out[-1][1]
        if out and out[-1][1] == kind:
            out[-1] = (out[-1][0] + char, kind)
        else:
            out.append((char, kind))
    return out


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFKD", char).casefold()


def fold_word(word: str) -> str:
    """A word in the form quotes are compared in: compatibility-decomposed character by
    character and case-folded (full-width "ＡＢＣ１" = "abc1", "ﬁ" = "fi", a precomposed
    "é" = "e" + its accent). Per character, so that each folded character maps back to
    the one it came from; two texts fold alike exactly when their NFKC forms agree (up to
    the order of stacked marks)."""
    if word.isascii():
        return word.lower()
    return "".join(_fold_char(c) for c in word)


def fold_map(word: str) -> list[int]:
    """For each character of ``fold_word(word)``, the index in ``word`` it came from."""
    return [i for i, c in enumerate(word) for _ in _fold_char(c)]


def joiner(before: str, after: str) -> str:
    """What stands between two words in the folded text: nothing between two characters of
    no-space scripts or their punctuation (a line break inside a Chinese or Thai sentence,
    or after its "。", is no word break), else one space."""
    return "" if before and after and _JOINS.match(before[-1]) and _JOINS.match(after[0]) \
        else " "


def join_words(parts: list[str]) -> str:
    """``parts`` (words, sentences) joined as :func:`joiner` says: Chinese sentences cut
    apart come back together without a space."""
    out: list[str] = []
    for part in parts:
        if out:
            out.append(joiner(out[-1], part))
        out.append(part)
    return "".join(out)


def fold_text(text: str) -> str:
    """``text`` folded word by word (:func:`fold_word`), whitespace squashed by
    :func:`joiner`."""
    parts: list[str] = []
    for word in text.split():
        folded = fold_word(word)
        if parts:
            parts.append(joiner(parts[-1], folded))
        parts.append(folded)
    return "".join(parts)
