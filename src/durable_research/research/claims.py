"""Do two statements agree? A claim against a sentence of another source, deterministically.

Pure functions only. Used twice: after writing, every cited claim against the related
sentences of all gathered sources (corroborated / disputed); before writing, notes against
notes, so the writer hears of conflicts instead of picking a side silently.

A contradiction is decided here only when the sentence says the same thing as the claim
except for one slot: a number (or date), a negation, or an antonym, with the claim's names
all present (so "SQLITE_MAX_LENGTH defaults to 1000000000" and "SQLITE_MAX_COLUMN defaults
to 2000" are two subjects, not a conflict). Close calls — other names in the slot, other
words, a looser overlap — are left to the LLM judge (:attr:`Comparison.ask_judge`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from durable_research.research.passages import is_number, stem, tokens
from durable_research.research.support import negation_differs, negation_scopes

# Share of the claim's (IDF-weighted) words a sentence must have to be about the same thing.
RELATED_AT = 0.5
# ... to be the same statement but for one slot (number, negation, antonym): decided here;
# the claim's words the sentence lacks (not replaced by others) may weigh the rest.
SAME_STATEMENT_AT = 0.75
# ... to be worth the judge's time when no rule decides.
ASK_JUDGE_AT = 0.6

# Words whose swap turns a statement into its opposite: each line is two families, and a
# word of one against a word of the other is a contradiction ("enforced by default" vs
# "disabled by default"). Stemmed at import, so "enabled"/"disables" match. Kept to words
# that stay opposites in technical prose.
_OPPOSITES = """
enable enabled enforce enforced activate activated active on | disable disabled
    deactivate deactivated inactive off ignore ignored
true yes | false
allow allowed permit permitted accept accepted | forbid forbidden disallow disallowed
    prohibit prohibited reject rejected refuse refused
required mandatory compulsory | optional
always | sometimes rarely
increase increases increased rise rises gain | decrease decreases decreased fall falls lose
before earlier | after later
more | less fewer
larger bigger | smaller
higher | lower
maximum | minimum
faster quicker | slower
safe | unsafe
synchronous | asynchronous
include included | exclude excluded
persistent permanent | temporary transient
automatic automatically | manual manually
implicit implicitly | explicit explicitly
ascending | descending
supported | unsupported
first earliest oldest | last latest newest
lossless | lossy
visible | invisible hidden
mutable | immutable
valid | invalid
possible | impossible
legal | illegal
sufficient | insufficient
compatible | incompatible
inside internal | outside external
above | below
north | south
east | west
success succeeds succeeded | failure fails failed
"""


def _opposite_pairs(table: str) -> frozenset[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for line in table.replace("\n    ", " ").strip().splitlines():
        left, right = (side.split() for side in line.split("|"))
        pairs.update(frozenset((stem(a), stem(b))) for a in left for b in right
                     if stem(a) != stem(b))
    return frozenset(pairs)


ANTONYMS = _opposite_pairs(_OPPOSITES)


# Words that make a slot hold one value only ("the default journal mode", "the capital"),
# so that another name in it contradicts rather than adds.
SINGLE_VALUE_CUES: frozenset[str] = frozenset(stem(w) for w in """
default only sole capital named called name author inventor founder creator current latest
official maximum minimum largest smallest highest lowest first last
""".split())


class Relation(StrEnum):
    """How a sentence of another source relates to a claim (the judge answers the same)."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    NEITHER = "neither"


@dataclass(frozen=True)
class Comparison:
    """A claim against one sentence: the relation, the overlap, why, and whether to ask."""

    relation: Relation
    # Share of the claim's words (IDF-weighted) the sentence has, 0..1.
    align: float
    reason: str = ""
    # A possible conflict or support the rules cannot settle: a question for the judge.
    ask_judge: bool = False
    # The sentence states the claim: nothing differs but words it adds.
    same: bool = False


def name_tokens(text: str) -> set[str]:
    """Tokens of names: words with a capital inside (SQLite, WAL) or after the first word."""
    out: set[str] = set()
    for i, word in enumerate(text.split()):
        bare = word.lstrip("\"'“‘([*_`")
        if any(c.isupper() for c in bare[1:]) or (i > 0 and bare[:1].isupper()):
            out.update(t for t in tokens(word) if not is_number(t))
    return out


def _surface(text: str, toks: list[str]) -> str:
    """The words of ``text`` that gave ``toks`` (for people: "DELETE", not "delet")."""
    wanted = set(toks)
    words = [w.strip("\"'“”‘’()[]{}*_`,.;:!?") for w in text.split()]
    return " ".join(w for w in words if wanted.intersection(tokens(w))) or " ".join(toks)


def _share(part: set[str], whole: set[str], weight: Callable[[str], float]) -> float:
    total = sum(weight(t) for t in whole)
    return sum(weight(t) for t in part & whole) / total if total else 0.0


class Slot(StrEnum):
    """What differs in one place where two statements differ."""

    NUMBER = "numbers differ"
    ANTONYM = "opposite words"
    NAME = "names differ"
    WORD = "other words"


def _slot(said: list[str], other: list[str], c_names: set[str], s_names: set[str]) -> Slot:
    if set(said) <= c_names and set(other) <= s_names:
        return Slot.NAME
    return Slot.WORD


def _nearest(c_toks: list[str], said: str, s_toks: list[str], others: list[str]) -> str:
    """Of the sentence's other numbers, the one in the claim number's place (same
    neighbours: "page size 1024 bytes" / "page size 4096 bytes"), to name in the reason."""
    i = c_toks.index(said)
    near = set(c_toks[max(0, i - 2) : i] + c_toks[i + 1 : i + 3])

    def fit(number: str) -> int:
        j = s_toks.index(number)
        return len(near.intersection(s_toks[max(0, j - 2) : j] + s_toks[j + 1 : j + 3]))

    return max(others, key=fit)


def differences(c_toks: list[str], s_toks: list[str], c_names: set[str], s_names: set[str]
                ) -> tuple[list[tuple[Slot, list[str], list[str]]], list[str]]:
    """Where a sentence differs from a claim: the substitutions (what the claim says, what
    the sentence says instead) and the claim's words the sentence lacks.

    Numbers first, wherever they stand: the claim's numbers the sentence lacks against the
    sentence's numbers the claim lacks ("opened in 1932" / "in 1937, it opened"). Then the
    words, in order: words only moved elsewhere in the sentence are not differences
    ("by default, X is off" and "X is off by default" say the same); neither are the
    sentence's extra words (it may say more than the claim).
    """
    cset, sset = set(c_toks), set(s_toks)
    subs: list[tuple[Slot, list[str], list[str]]] = []
    lone = [t for t in dict.fromkeys(c_toks) if is_number(t) and t not in sset]
    extra = [t for t in dict.fromkeys(s_toks) if is_number(t) and t not in cset]
    if lone and extra:
        subs.append((Slot.NUMBER, lone, [_nearest(c_toks, lone[0], s_toks, extra)]))
        c_toks = [t for t in c_toks if t not in lone]
        s_toks = [t for t in s_toks if t not in extra]
    # Opposite words, wherever they stand ("enforces X by default" / "X is disabled").
    for a in [t for t in dict.fromkeys(c_toks) if t not in sset]:
        b = next((t for t in s_toks if t not in cset and frozenset((a, t)) in ANTONYMS), "")
        if b:
            subs.append((Slot.ANTONYM, [a], [b]))
            c_toks = [t for t in c_toks if t != a]
            s_toks = [t for t in s_toks if t != b]
            break
    dropped: list[str] = []
    matcher = SequenceMatcher(None, c_toks, s_toks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        said = [t for t in c_toks[i1:i2] if t not in sset]
        other = [t for t in s_toks[j1:j2] if t not in cset and not is_number(t)]
        if tag == "equal" or not said:
            continue
        if other:
            subs.append((_slot(said, other, c_names, s_names), said, other))
        else:
            dropped += said
    return subs, dropped


def compare(claim: str, sentence: str, weight: Callable[[str], float]) -> Comparison:
    """Whether ``sentence`` contradicts ``claim`` by the rules above, or may (ask the judge).

    ``weight`` gives a token's importance (IDF over the sentences compared against), so a
    shared "sqlite" counts less than a shared "checkpoint". SUPPORTS is never decided here:
    support is the support score's question (:mod:`support`), asked of the whole source.
    """
    c_toks, s_toks = tokens(claim), tokens(sentence)
    cset, sset = set(c_toks), set(s_toks)
    if len(cset) < 2:
        return Comparison(Relation.NEITHER, 0.0)
    align = _share(sset, cset, weight)
    if align < RELATED_AT:
        return Comparison(Relation.NEITHER, align)
    c_names, s_names = name_tokens(claim), name_tokens(sentence)
    subs, dropped = differences(c_toks, s_toks, c_names, s_names)
    close = _share(set(dropped), cset, weight) <= 1.0 - SAME_STATEMENT_AT
    negated = negation_differs(negation_scopes(claim, 3), sentence, cset)
    ask = align >= ASK_JUDGE_AT
    if not close or len(subs) > 1 or (subs and negated):
        return Comparison(Relation.NEITHER, align, "", ask_judge=ask)
    if not subs:
        if negated:
            return Comparison(Relation.CONTRADICTS, align, "one of them says not")
        return Comparison(Relation.NEITHER, align, "", ask_judge=ask,
                          same=align >= SAME_STATEMENT_AT)
    kind, said, other = subs[0]
    why = f"{kind}: {_surface(claim, said)} vs {_surface(sentence, other)}"
    # Another name is a contradiction only where one value fits ("the default mode is WAL"
    # vs "... is DELETE"); elsewhere both may hold ("used in Android" / "used in iOS").
    single = bool(cset & SINGLE_VALUE_CUES)
    if kind in (Slot.NUMBER, Slot.ANTONYM) or (kind is Slot.NAME and single):
        return Comparison(Relation.CONTRADICTS, align, why)
    return Comparison(Relation.NEITHER, align, why, ask_judge=ask)


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Word ``n``-grams of a text's tokens: two texts sharing many are copies of each other."""
    toks = tokens(text)
    return {tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1))}


def near_copies(a: set[tuple[str, ...]], b: set[tuple[str, ...]], at: float = 0.5) -> bool:
    """Whether two shingle sets overlap so much that one text is a copy of the other.

    Measured on the smaller text: a page that quotes a whole paragraph of another is a
    re-post of it for that paragraph's claims, however much else it says.
    """
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= at
