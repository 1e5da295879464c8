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
from dataclasses import dataclass, replace
from enum import StrEnum

from durable_research.research.compounds import split_joined, split_names
from durable_research.research.frames import Groups, alternatives, frame_conflict
from durable_research.research.framing import main_part
from durable_research.research.number_kinds import (
    asides,
    kind_of,
    number_kinds,
    parenthesised,
    timeline,
)
from durable_research.research.opposites import KEPT_STOPWORDS, SINGLE_VALUE_CUES
from durable_research.research.owners import other_owner
from durable_research.research.passages import is_number
from durable_research.research.slots import (
    Difference,
    Kinds,
    Slot,
    differences,
)
from durable_research.research.statements import (
    KEPT_WEIGHT,
    MIN_CLAUSE_TOKENS,
    clauses,
    name_tokens,
    negation_conflict,
    other_case,
    tokens,
    value_tokens,
)

# Share of the claim's (IDF-weighted) words a sentence must have to be about the same thing.
RELATED_AT = 0.5
# ... to be the same statement but for one slot (number, negation, antonym): decided here;
# the claim's words the sentence lacks (not replaced by others) may weigh the rest.
SAME_STATEMENT_AT = 0.75
# ... to be worth the judge's time when no rule decides.
ASK_JUDGE_AT = 0.6

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
    # Of a "numbers differ" on versions or dates: the claim's that the sentence puts others
    # for.
    dated: tuple[str, ...] = ()


def _surface(text: str, toks: list[str]) -> str:
    """The words of ``text`` that gave ``toks`` (for people: "DELETE", not "delet")."""
    wanted = set(toks)
    words = [w.strip("\"'“”‘’()[]{}*_`,.;:!?") for w in text.split()]
    found = [w for w in words if wanted.intersection(tokens(w))]
    return " ".join(dict.fromkeys(found)) or " ".join(toks)


def _aside(text: str, toks: list[str]) -> bool:
    """Whether the words of ``toks`` stand only in parentheses: an aside, often about
    another subject ("... is not an error (since unknown PRAGMAs are silently ignored)")."""
    inside, outside = parenthesised(text)
    return bool(set(toks) & inside) and not set(toks) & outside


def _share(part: set[str], whole: set[str], weight: Callable[[str], float]) -> float:
    def w(token: str) -> float:
        return KEPT_WEIGHT if token in KEPT_STOPWORDS else weight(token)

    total = sum(w(t) for t in whole)
    return sum(w(t) for t in part & whole) / total if total else 0.0


def compare(claim: str, sentence: str, weight: Callable[[str], float],
            known: frozenset[str] = frozenset(), groups: Groups = frozenset(),
            topic: frozenset[str] = frozenset()) -> Comparison:
    """Whether ``sentence`` contradicts ``claim`` by the rules above, or may (ask the judge).

    Whole sentences first, then clause against clause: "the default mode is auto, so
    consumers never ack" and "the default mode is manual: consumers must ack" differ in
    three places as wholes, in one as clauses. ``weight`` gives a token's importance (IDF
    over the sentences compared against), so a shared "sqlite" counts less than a shared
    "checkpoint". ``known``: names the sentence's source uses elsewhere, which the sentence
    may leave out ("It was designated in 1996", in a page on Lake Baikal). ``groups``: the
    lists of alternatives the gathered sources give ("DEFERRED, IMMEDIATE, or EXCLUSIVE"),
    for the frames: one default for another of one list is a contradiction (two parallel
    sentences on DELETE and on UPDATE are not, so the slot rules do not use them). ``topic``:
    the words of the sentence's source's title, which its sentences may leave out ("The
    default protocol is 4." on the page titled "pickle — ..."): the claim's words among them
    count as the sentence's (on the Python labelled set, with its sources' titles, 6 of the
    16 wrong claims the rules printed verified are disputed once they count:
    docs/research-quality.md). SUPPORTS is
    never decided here: support is the support score's question (:mod:`support`), asked of
    the whole source.
    """
    # A condition ("disabled when the flag is set", "when auto-vacuum is enabled, ...") or a
    # sentence that turns to another case ("But at the end it does not ...", "Other type
    # names ...") makes an opposite word or a "not" a question for the judge, not a
    # contradiction: in the parts too.
    conditional = other_case(claim) or other_case(sentence)
    # Two statements about the settings of two owners are two subjects (:mod:`owners`): in
    # the parts too ("The default setting is off, meaning that CHECK constraints are
    # enforced" against "... the PRAGMA reverse_unordered_selects setting to be enabled").
    apart = other_owner(claim, sentence)
    whole = _compare(claim, sentence, weight, known, topic, conditional, apart)
    # Each part on its own, whatever the whole's overlap: the claim's other part may be all
    # rare words ("so ON DELETE CASCADE just works") that the sentence lacks.
    if whole.relation is Relation.CONTRADICTS:
        return whole
    # Then the frames: the same kind of statement in other words (:mod:`frames`); even in
    # the same words ("in its brain rather than its arms" / "in its arms rather than its
    # brain").
    why = frame_conflict(claim, sentence, weight, known, groups)
    if why:
        return Comparison(Relation.CONTRADICTS, whole.align, why)
    if whole.same:
        return whole
    stated = set(tokens(sentence))
    for part in clauses(claim):
        for other in clauses(sentence):
            if (part, other) != (claim, sentence):
                found = _compare(part, other, weight, known, topic, conditional, apart)
                if found.relation is Relation.CONTRADICTS and \
                        not _number_stated_elsewhere(found, stated):
                    return replace(found, align=whole.align)
    # A condition that only follows a consequence or a second predicate bears on that part
    # ("is off by default and so if the application does nothing ..."): the main parts are
    # compared as unconditional statements.
    mains = main_part(claim), main_part(sentence)
    if conditional and mains != (claim, sentence) and not any(map(other_case, mains)):
        found = _compare(*mains, weight, known, topic, False, apart)
        if found.relation is Relation.CONTRADICTS:
            return replace(found, align=whole.align)
    return whole


def _number_stated_elsewhere(found: Comparison, stated: set[str]) -> bool:
    """Whether a part's "numbers differ" is the claim's version or date against another
    that the whole sentence states beside the claim's own: a sentence naming both draws a
    timeline ("a database created by SQLite 3.37.0 or later can still be read ... back to
    version 3.0.0" does not dispute "SQLite version 3.37.0 introduced STRICT tables"; its
    second clause alone did: a false dispute between two official pages in the research
    eval's reports). Quantities still differ: "the default page size was 1024 bytes, but
    ... increased to 4096" disputes "the default page size is 1024 bytes"."""
    return bool(found.dated) and set(found.dated) <= stated


def _compare(claim: str, sentence: str, weight: Callable[[str], float],
             known: frozenset[str], topic: frozenset[str], conditional: bool,
             apart: bool = False) -> Comparison:
    c_toks, s_toks = tokens(claim), tokens(sentence)
    if len(set(c_toks)) < MIN_CLAUSE_TOKENS:  # "SQLite does not support this." compares
        return Comparison(Relation.NEITHER, 0.0)  # to nothing
    # A word one side joins and the other writes apart ("DATETIME" / "dates and/or
    # times") is the same words on both.
    c_toks, s_toks, c_apart, s_apart = split_joined(c_toks, s_toks)
    # The page's subject is the sentence's too ("The default protocol is 4." on pickle's).
    cset, sset = set(c_toks), set(s_toks) | (topic & set(c_toks))
    if _share(sset, cset, weight) < RELATED_AT / 2:
        return Comparison(Relation.NEITHER, _share(sset, cset, weight))
    c_names = split_names(name_tokens(claim), c_apart)
    cues = cset & SINGLE_VALUE_CUES
    values = (value_tokens(claim), value_tokens(sentence)) if cues else None
    kinds = number_kinds(claim), number_kinds(sentence)
    diff = differences(c_toks, s_toks, c_names, split_names(name_tokens(sentence), s_apart),
                       values, kinds,
                       (asides(claim), asides(sentence)))
    slots = diff.slots
    # About the same thing: the overlap of everything but the slot that differs (a rare
    # "enforced" facing "disabled" would otherwise weigh the statement apart).
    align = _share(sset, cset - {t for d in slots for t in d.said}, weight)
    if align < RELATED_AT:
        return Comparison(Relation.NEITHER, align)
    close = _share(set(diff.missing) - topic, cset, weight) <= 1.0 - SAME_STATEMENT_AT
    negated = negation_conflict(claim, sentence, cset, sset)
    ask = align >= ASK_JUDGE_AT
    # The same statement in other words: no slot differs, no "not", little left out.
    same = close and not slots and not negated and align >= SAME_STATEMENT_AT
    # The same subject: the claim's names and single-value words are all there (or are the
    # slot); a name the sentence leaves out may be one its source uses elsewhere ("It was
    # designated in 1996"), one it puts another word for may not ("In WAL mode" / "In
    # rollback mode"): "the maximum page size" is not "the default page size" either.
    named = {t for d in slots if d.kind is Slot.NAME for t in d.said}
    subject = not (c_names - sset - named - known) and not (c_names & diff.replaced) and \
        not (cues - sset) and not apart
    if close and subject and not slots and negated and not conditional:
        return Comparison(Relation.CONTRADICTS, align, "one of them says not")
    if close and subject and len(slots) == 1 and not negated and \
            not (conditional and slots[0].kind is Slot.ANTONYM):
        d = slots[0]
        # Another name is a contradiction only where one value fits ("the default mode is
        # WAL" vs "... is DELETE"); elsewhere both may hold ("used in Android" / "in iOS").
        # And only in the same words all round: "the default transaction behavior is
        # DEFERRED" is not contradicted by "the default behavior of LIKE is ...".
        tight = not diff.missing
        # A value listed among others is no single value ("is one of "SET DEFAULT" or
        # "CASCADE"" against "the default setting is 2 (FULL)").
        listed = set(d.said) & alternatives(claim) or set(d.other) & alternatives(sentence)
        if d.kind is Slot.ANTONYM and (_aside(sentence, d.other) or _aside(claim, d.said)):
            return Comparison(Relation.NEITHER, align, "", ask_judge=ask)
        if d.kind is Slot.NUMBER and (listed or not _same_event(d, c_toks, s_toks, kinds,
                                                                  weight)):
            return Comparison(Relation.NEITHER, align, "", ask_judge=ask)
        if d.kind in (Slot.NUMBER, Slot.ANTONYM) or (cues and tight and not listed):
            why = f"{d.kind}: {_surface(claim, d.said)} vs {_surface(sentence, d.other)}"
            return Comparison(Relation.CONTRADICTS, align, why, dated=tuple(d.said) if (
                d.kind is Slot.NUMBER and timeline(kind_of(d.said[0], kinds[0]))) else ())
    return Comparison(Relation.NEITHER, align, "", ask_judge=ask, same=same)


def _same_event(d: Difference, c_toks: list[str], s_toks: list[str], kinds: Kinds,
                weight: Callable[[str], float]) -> bool:
    """Whether two versions or dates date the same thing: the sentence shares the claim's
    words beyond the phrase that leads to both numbers ("beginning with SQLite version
    3.38.0, those functions are included" against "this constraint was relaxed beginning
    with SQLite version 3.22.0" share only "beginning with SQLite version"). Quantities
    pass: their phrase is their subject ("the default page size is 1024")."""
    said, other = d.said[0], d.other[0]
    if not timeline(kind_of(said, kinds[0])):
        return True
    i, j = c_toks.index(said), s_toks.index(other)
    phrase = set(c_toks[max(0, i - 3) : i]) & set(s_toks[max(0, j - 3) : j])
    rest = set(c_toks) - phrase - {t for t in c_toks if is_number(t)}
    # A part that is little more than its date ("SQLite behaves as it did prior to version
    # 3.6.19") says nothing to compare.
    return len(rest) >= 2 and _share(set(s_toks), rest, weight) >= RELATED_AT
