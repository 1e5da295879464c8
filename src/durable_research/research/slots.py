"""Where a sentence differs from a claim: the slots (a number, an opposite word, a name, a
value) and the claim's words it lacks. Pure functions for :mod:`claims`, which decides from
them whether the two contradict.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from durable_research.research.number_kinds import (
    NumberKind,
    kind_of,
    points_within_document,
    units_differ,
)
from durable_research.research.opposites import ANTONYMS
from durable_research.research.passages import is_number


class Slot(StrEnum):
    """What differs in one place where two statements differ."""

    NUMBER = "numbers differ"
    ANTONYM = "opposite words"
    NAME = "names differ"
    # Another word as the value of a single-valued slot ("the default mode is auto").
    VALUE = "values differ"


@dataclass(frozen=True)
class Difference:
    """One slot where a sentence says something else than the claim."""

    kind: Slot
    said: list[str]
    other: list[str]


def _nearest(c_toks: list[str], said: str, s_toks: list[str], others: list[str],
             kinds: Kinds) -> str | None:
    """Of the sentence's other numbers of the same kind (a date faces a date, a version a
    version) and unit (:func:`units_differ`), the one in the claim number's place: a word
    next to it in common ("page size 1024 bytes" / "page size is 4096"); None when none
    is."""
    i = c_toks.index(said)
    others = [n for n in others if kind_of(n, kinds[1]) is kind_of(said, kinds[0])
              and not units_differ(c_toks, i, s_toks, s_toks.index(n))]
    if not others:
        return None
    near = _neighbours(c_toks, i)

    def fit(number: str) -> int:
        return len(near & _neighbours(s_toks, s_toks.index(number)))

    # Ties go to a number of the same size ("1024 bytes" against 4096, not a date).
    best = max(others, key=lambda n: (fit(n), len(n) == len(said)))
    return best if fit(best) else None


def _neighbours(toks: list[str], i: int) -> set[str]:
    return set(toks[max(0, i - 2) : i] + toks[i + 1 : i + 3])


def _antonym(c_toks: list[str], s_toks: list[str]) -> tuple[str, str] | None:
    """An opposite of a claim word that the sentence says instead: a word the sentence lacks
    against a word the claim lacks, or, when the sentence has both ("off by default ... turn
    it on"), the opposite standing in the claim word's place (a neighbour in common)."""
    cset, sset = set(c_toks), set(s_toks)
    for i, a in enumerate(c_toks):
        for j, b in enumerate(s_toks):
            if b not in cset and frozenset((a, b)) in ANTONYMS and (
                    a not in sset or _neighbours(c_toks, i) & _neighbours(s_toks, j)) and \
                    not points_within_document(c_toks, i) and \
                    not points_within_document(s_toks, j):
                return a, b
    return None


@dataclass
class Differences:
    """Where a sentence differs from a claim (see :func:`differences`)."""

    slots: list[Difference]
    # The claim's words the sentence lacks, and of those the ones it puts other words for.
    missing: list[str]
    replaced: set[str]


# The claim's and the sentence's dates and versions (:func:`number_kinds`).
Kinds = tuple[dict[str, NumberKind], dict[str, NumberKind]]


def differences(c_toks: list[str], s_toks: list[str], c_names: set[str], s_names: set[str],
                values: tuple[set[str], set[str]] | None,
                kinds: Kinds = ({}, {}),
                aside: tuple[set[str], set[str]] = (set(), set())) -> Differences:
    """Where a sentence differs from a claim: the slots that differ, and the claim's words
    the sentence lacks or puts otherwise.

    Numbers first, wherever they stand: the claim's numbers the sentence lacks against the
    sentence's numbers the claim lacks ("opened in 1932" / "in 1937, it opened"); opposite
    words too ("enforces X by default" / "X is disabled by default"). Then the words, in
    order: where the sentence has other words in the claim's place, the first of them face
    the claim's ("born in Kraków" / "born in Warsaw in 1867"): a name for a name is a NAME
    slot, a value for a value (``values``: the claim's and the sentence's words that stand
    as values, given when the slot holds one value only) a VALUE slot, anything else just
    rewording. A number must stand where the claim's did (a word around it in common:
    "eight arms" is not "three hearts"), be of the same kind (``kinds``: a release date is
    no version) and stand outside parentheses (``aside``). Words only moved elsewhere are
    no difference ("by default, X is off" / "X is off by default"); neither are the
    sentence's extra words.
    """
    # A number in parentheses only is no part of the statement: left out of it. It is no
    # difference either: "(about 281 terabytes)" in the claim, "about 281 terabytes" in
    # the sentence was shown to a reader as "numbers differ: ... vs 281".
    c_toks = [t for t in c_toks if not (is_number(t) and t in aside[0])]
    s_toks = [t for t in s_toks if not (is_number(t) and t in aside[1])]
    cset, sset = set(c_toks), set(s_toks)
    found: list[Difference] = []
    # A label's number names which note or section, it states no value: never a slot.
    lone = [t for t in dict.fromkeys(c_toks) if is_number(t) and t not in sset
            and t not in aside[1] and kind_of(t, kinds[0]) is not NumberKind.LABEL]
    extra = [t for t in dict.fromkeys(s_toks) if is_number(t) and t not in cset
             and t not in aside[0] and kind_of(t, kinds[1]) is not NumberKind.LABEL]
    nearest = _nearest(c_toks, lone[0], s_toks, extra, kinds) if lone and extra else None
    if nearest is not None:
        found.append(Difference(Slot.NUMBER, lone, [nearest]))
        c_toks = [t for t in c_toks if t not in lone]
        s_toks = [t for t in s_toks if t not in extra]
    pair = _antonym(c_toks, s_toks)
    missing: list[str] = []
    replaced: set[str] = set()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, c_toks, s_toks,
                                               autojunk=False).get_opcodes():
        said = [t for t in c_toks[i1:i2] if t not in sset]
        if tag == "equal" or not said:
            continue
        put = [t for t in s_toks[j1:j2] if t not in cset]
        other = [t for t in put if not is_number(t)][: len(said)]
        if other and set(said) <= c_names and set(other) <= s_names:
            found.append(Difference(Slot.NAME, said, other))
        # Not when a number stands in the claim value's place: the word after it is what
        # the sentence says of the number ("is off" / "is 50 which is more than adequate").
        elif values and len(said) == len(other) == 1 and said[0] in values[0] and \
                other[0] in values[1] and put[0] == other[0]:
            found.append(Difference(Slot.VALUE, said, other))
        else:
            missing += said
            if other:
                replaced.update(said)
    if pair is not None:
        missing = [t for t in missing if t != pair[0]]
        found = [d for d in found if pair[0] not in d.said]
        found.append(Difference(Slot.ANTONYM, [pair[0]], [pair[1]]))
    return Differences(found, missing, replaced - {pair[0]} if pair else replaced)
