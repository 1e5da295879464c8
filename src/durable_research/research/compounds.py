"""One word on one side, two on the other: "DATETIME" / "dates and/or times", "filesystem" /
"file system".

Pure functions for the claim rules (:mod:`claims`). A word the other statement writes as
two counted as missing there, and a claim missing a rare word is no longer "the same
statement but for a not": "SQLite has a native DATETIME storage class" against the
official "SQLite does not have a storage class set aside for storing dates and/or times"
missed "datetime" as well as "native", 2 of its 5 words (the rules' bar: a quarter), and
was printed verified in the research eval's reports (docs/research-quality.md).
"""

from __future__ import annotations

from durable_research.research.statements import tokens

# Each part of a joined word at least this long: "into" is not "in" + "to".
MIN_PART = 3


def _split(word: str, pairs: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The two neighbouring tokens of ``pairs`` that ``word`` (a token) joins, if any."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = tokens(word[:i]), tokens(word[i:])
        if len(left) == len(right) == 1 and (left[0], right[0]) in pairs:
            return left[0], right[0]
    return None


def _apart(toks: list[str], other: list[str]) -> dict[str, tuple[str, str]]:
    """The tokens of ``toks`` that ``other`` writes as two words side by side (its
    tokens: stopwords are left out, so "dates and/or times" are side by side)."""
    pairs = set(zip(other, other[1:], strict=False))
    found: dict[str, tuple[str, str]] = {}
    for t in dict.fromkeys(toks):
        if t in other or len(t) < 2 * MIN_PART or t[:1].isdigit():
            continue
        parts = _split(t, pairs)
        if parts is not None:
            found[t] = parts
    return found


Joined = dict[str, tuple[str, str]]


def split_joined(c_toks: list[str], s_toks: list[str]
                 ) -> tuple[list[str], list[str], Joined, Joined]:
    """The claim's and the sentence's tokens with each word one of them joins and the
    other writes apart written apart on both sides; and the words so split, the claim's
    and the sentence's (a name split is its parts: :func:`split_names`)."""
    c_apart, s_apart = _apart(c_toks, s_toks), _apart(s_toks, c_toks)
    return _spread(c_toks, c_apart), _spread(s_toks, s_apart), c_apart, s_apart


def _spread(toks: list[str], apart: Joined) -> list[str]:
    return [p for t in toks for p in apart.get(t, (t,))]


def split_names(names: set[str], apart: Joined) -> set[str]:
    """``names`` (tokens) with the words split by :func:`split_joined` as their parts."""
    return set(_spread(sorted(names), apart))
