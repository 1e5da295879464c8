"""The statement frames besides the default (:mod:`frames`): how many at once, who did it,
which of two ("A instead of B", "A, not B"), whose model it follows, alone or with others,
depends on it or not, since which version. One reader and one rule each.

Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from durable_research.research.framing import (
    LOOSE_SUBJECT_AT,
    SAME_SUBJECT_AT,
    SINCE_SUBJECT_AT,
    free,
    subject,
)
from durable_research.research.passages import STOPWORDS, stem
from durable_research.research.statements import name_tokens, other_case, tokens

# --- how many at once --------------------------------------------------------------------

_ONE = re.compile(r"\b(?:only\s+(?:be\s+)?one|just\s+one|a\s+single|one\s+single|at\s+most\s+one|"
                  r"exactly\s+one|only\s+a\s+single|no\s+more\s+than\s+one)\s+((?:[\w-]+\s+){0,3})",
                  re.I)
_MANY = re.compile(r"\b(?:several|multiple|many|two\s+or\s+more|more\s+than\s+one|"
                   r"any\s+number\s+of)\s+((?:[\w-]+\s+){0,4})", re.I)
_AT_ONCE = re.compile(r"\b(?:at\s+a\s+time|at\s+once|at\s+the\s+same\s+time|simultaneously|"
                      r"concurrently|in\s+parallel)\b", re.I)


def _heads(pattern: re.Pattern[str], text: str) -> list[set[str]]:
    """The words after each quantifier ("a single database connection"); not after "more
    than" ("more than a single thread" is several)."""
    return [set(tokens(m.group(1))) for m in pattern.finditer(text)
            if not re.search(r"\bthan\s+$", text[: m.start()], re.I)]


def _counted(one: set[str], many: set[str]) -> bool:
    """Whether one and many count the same thing: every word of the shorter phrase has its
    kin in the other ("one writer" / "connections can write"), not just a shared modifier
    ("a single database connection" / "two or more database files")."""
    short, other = sorted((one, many), key=len)
    return bool(short) and all(_kin({w}, other) for w in short)


def _kin(a: set[str], b: set[str]) -> bool:
    """Whether two sets share a word, "writer" and "write" alike (a stem of four letters or
    more that begins the other)."""
    return any(x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))
               for x in a for y in b)


# Another thing's case: "Other embedded SQL database engines ...", "unlike X", "whereas X"
# ("However, ..." is not one: it turns from the sentence before, about the same thing).
_OTHERS = re.compile(r"^\W*(?:other|unlike)\b|\b(?:though|although|whereas|"
                     r"(?:for|on|in|with)\s+other)\b", re.I)


def cardinality_conflict(claim: str, sentence: str,
                         known: frozenset[str] = frozenset()) -> str | None:
    """"Only one writer at a time" against "several connections can write at the same
    time": one against many of the same thing, both about what happens at once, neither
    naming a thing the other does not ("SHARED locks" / "a RESERVED lock") nor speaking of
    another case ("Other embedded engines only allow a single process ...": the FAQ's own
    sentences were set against each other)."""
    if not (_AT_ONCE.search(claim) and _AT_ONCE.search(sentence)):
        return None
    if not (free(claim) and free(sentence)) or _OTHERS.search(claim) or \
            _OTHERS.search(sentence) or claim.rstrip().endswith("?") or \
            sentence.rstrip().endswith("?"):
        return None  # another case, or a question ("Can multiple applications ...?")
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence)) | known
    # A name of each the other lacks: two things ("SHARED locks" / "a RESERVED lock"). (The
    # rest of the subject is not asked for: one and many are often all the two share, "In
    # WAL mode, several connections can write ..." / "there can only be one writer".)
    if name_tokens(claim) - s_toks and name_tokens(sentence) - c_toks:
        return None
    # A sentence with both relates two counts ("a single database connection to talk to
    # two or more database files"): it states neither alone.
    if any(_heads(_ONE, x) and _heads(_MANY, x) for x in (claim, sentence)):
        return None
    for one, many in ((_heads(_ONE, claim), _heads(_MANY, sentence)),
                      (_heads(_ONE, sentence), _heads(_MANY, claim))):
        if any(_counted(a, b) for a in one for b in many):
            return "how many at once: one vs several"
    return None


# --- who did it --------------------------------------------------------------------------

# Verbs whose agent is one: who led, founded, invented it (not "used by", "supported by":
# many may use a thing).
_AGENT_VERBS = ("led|founded|established|invented|designed|created|written|authored|"
                "developed|discovered|decoded|built|coined|proposed|directed|composed|"
                "painted|launched|pioneered|deciphered|formulated")
_PARTICLE = r"(?:de|da|di|van|von|der|den|du|la|le|al|bin|ibn)"
_NAME = rf"((?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:{_PARTICLE}\s+)*[A-Z][\w'’.-]*)*)"
AGENT_WORD = re.compile(rf"\b(?:{_AGENT_VERBS})\b")
_AGENT = re.compile(rf"\b({_AGENT_VERBS})\b(?:\s+[\w-]+){{0,5}}?\s+(?:by|aboard)\s+{_NAME}")


def agents(text: str) -> list[tuple[str, set[str]]]:
    """(verb stem, name tokens) of "led by X", "launched ... aboard X"."""
    return [(stem(m.group(1).lower()), set(tokens(m.group(2))) - {"the"})
            for m in _AGENT.finditer(text)]


def agent_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                   known: frozenset[str]) -> str | None:
    """The same deed by another name ("decoded by Konrad Lorenz" / "decoded by Karl von
    Frisch"): the claim's name nowhere in the sentence, the sentence's not in the claim."""
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    for verb, name in agents(claim):
        for other_verb, other in agents(sentence):
            # Another name: the claim's not (all) in the sentence, the sentence's not in the
            # claim ("the Space Shuttle Challenger" / "the Space Shuttle Discovery").
            if verb != other_verb or not name - s_toks or not other - c_toks:
                continue
            rest = c_toks - name - {verb}
            if subject(claim, rest, s_toks | known, weight, LOOSE_SUBJECT_AT) and free(sentence):
                return f"names differ: {verb} by {_shown(claim, name)} vs {_shown(sentence, other)}"
    return None


def _shown(text: str, toks: set[str]) -> str:
    words = [w.strip(".,;:") for w in text.split() if set(tokens(w)) & toks]
    return " ".join(words) or " ".join(sorted(toks))


# --- which of two ------------------------------------------------------------------------

_PREFER = re.compile(r"\b(?:instead\s+of|rather\s+than)\b", re.I)
# "A, not B": the same choice after a comma ("a conservative estimate, not a hard upper
# bound"); not where "not" only qualifies what follows ("..., not only A", "..., not to
# mention", "..., not all of them": no rejected thing).
_CONTRAST = re.compile(r",\s+(?:and\s+|but\s+)?not\s+(?!(?:only|just|even|necessarily|always|"
                       r"all|every|each|any|yet|to|at|least|so|too|merely|simply|quite|"
                       r"exactly|much|many|more|less|until|because|if|when|that)\b)", re.I)
# After "A, not B" the chosen side is short: the words just before the comma ("a
# conservative estimate"), not the subject the clause began with ("the 100K figure is").
_CONTRAST_WIDTH = 2
# A claim that itself says "not", "no", "never" ... denies rather than states: "Octopus
# blood does not use hemoglobin" agrees with "hemocyanin instead of hemoglobin".
_DENIES = re.compile(r"\b(?:not|no|never|neither|nor|cannot|without)\b|n[’']t\b", re.I)


@dataclass(frozen=True)
class Preference:
    """"A instead of B": the tokens of the chosen A and of the rejected B."""

    chosen: frozenset[str]
    rejected: frozenset[str]


def preferences(text: str, width: int = 3) -> list[Preference]:
    """The preferences a sentence states ("A instead of B", "A rather than B"): up to
    ``width`` content words on each side, within the clause."""
    found: list[Preference] = []
    matches = [(m, width) for m in _PREFER.finditer(text)]
    matches += [(m, min(width, _CONTRAST_WIDTH)) for m in _CONTRAST.finditer(text)]
    for m, wide in matches:
        before = re.split(r"[.;:(,]" if wide < width else r"[.;:(]", text[: m.start()])[-1]
        after = re.split(r"[,.;:()]", text[m.end():], maxsplit=1)[0]
        chosen = set(tokens(before)[-wide:])
        rejected = set(tokens(after)[:width])
        found.append(Preference(frozenset(chosen - rejected), frozenset(rejected - chosen)))
    return found


def preference_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                        known: frozenset[str]) -> str | None:
    """What one says instead of what: the claim prefers what the sentence rejects and the
    other way round ("in its brain rather than its arms" / "in its arms rather than its
    brain"), or plainly states what the sentence rejects ("with iron-based hemoglobin" /
    "with hemocyanin ... instead of iron-based hemoglobin")."""
    theirs = preferences(sentence)
    if not theirs or not free(sentence):
        return None
    mine = preferences(claim)
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    for s in theirs:
        if not s.rejected:
            continue
        for c in mine:
            rest = c_toks - c.chosen - c.rejected
            if c.chosen & s.rejected and c.rejected & s.chosen and \
                    subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                return "which of two: the other way round"
        # The plain statement: of a sentence about its own case ("Other integer type names
        # ..., not as an alias for the rowid"), by a claim with a condition, or where the
        # chosen side is only a small word ("the same connection, not separate
        # connections"), no rule can say the claim is the rejected thing.
        if not mine and s.chosen and s.rejected <= c_toks and not s.chosen & c_toks and \
                not _DENIES.search(claim) and free(claim) and not other_case(sentence):
            rest = c_toks - s.rejected
            if subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                return f"one says instead of: {_shown(claim, set(s.rejected))}"
    return None


# --- whose model it follows --------------------------------------------------------------

# What a thing follows or is modelled on, by the name of its origin: "follows the syntax
# established by PostgreSQL", "follows MySQL's ON DUPLICATE KEY UPDATE", "similar to those
# found in Perl". The origin's own words after "X's" are the origin's, not the subject's.
_ORIGIN = [
    re.compile(r"\b(?:follows?|following|mirrors?|copies|copied|adopts?|adopted)\s+(?:the\s+)?"
               r"(?:[\w-]+\s+){0,2}?(?:established|set|defined|introduced|used|pioneered|"
               rf"popularized|popularised)\s+by\s+{_NAME}()"),
    re.compile(r"\b(?:follows?|following|mirrors?|copies|copied|adopts?|adopted|borrows?|"
               rf"borrowed)\s+{_NAME}['’]s?\s+([^,.;:()]*)"),
    re.compile(r"\b(?:similar\s+to|like|modell?ed\s+(?:on|after)|based\s+on)\s+(?:those|that|"
               rf"the\s+ones?)\s+(?:found|used|offered)\s+(?:in|by)\s+{_NAME}()"),
]
ORIGIN_WORD = re.compile(r"\b(?:follows?|following|mirrors?|copies|copied|adopts?|adopted|"
                         r"borrows?|borrowed|similar\s+to|modell?ed|based\s+on)\b", re.I)
_ORIGIN_WORDS = frozenset(stem(w) for w in "follow follows following mirror copies copied "
                          "adopt adopted borrow borrowed similar modeled modelled based "
                          "established defined introduced pioneered found".split())


def origins(text: str) -> list[tuple[set[str], set[str]]]:
    """(name tokens, the origin's own words) of what a sentence says a thing follows."""
    return [(set(tokens(m.group(1))) - {"the"}, set(tokens(m.group(2))))
            for p in _ORIGIN for m in p.finditer(text)]


def origin_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                    known: frozenset[str]) -> str | None:
    """The same thing following another's model: "follows MySQL's ON DUPLICATE KEY UPDATE"
    against "follows the syntax established by PostgreSQL" (names each the other lacks)."""
    if not (free(claim) and free(sentence)):
        return None
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    for name, own in origins(claim):
        for other, _theirs in origins(sentence):
            if not name or not other or not name - s_toks or not other - c_toks:
                continue
            rest = c_toks - name - own - _ORIGIN_WORDS
            if subject(claim, rest, s_toks | known, weight, LOOSE_SUBJECT_AT):
                return (f"whose model: {_shown(claim, name)} vs "
                        f"{_shown(sentence, other)}")
    return None


# --- alone or with others ----------------------------------------------------------------

# Done by one alone: "won the 1911 Nobel Prize in Chemistry alone", "on her own".
_ALONE = re.compile(r"(?<!stand)(?<!stand-)\balone\b|\bsingle-handedly\b|"
                    r"\bby\s+(?:him|her|it|them)sel(?:f|ves)\b|"
                    r"\bon\s+(?:his|her|its|their)\s+own\b", re.I)
# Done with others: "shared the 1911 prize with Pierre Curie", "jointly with", "together
# with" (a verb and its partner: not "a shared cache", which has no "with").
_SHARED = re.compile(r"\bshar(?:ed|es|e|ing)\s+(?:[\w'’-]+\s+){1,6}?with\s+|"
                     r"\b(?:jointly|together)\s+with\s+|\bjointly\b", re.I)
# Where a clause ends: a sentence's "She shared X with A and B, and won Y alone" holds two
# statements, each with its own object.
_CLAUSE_END = re.compile(r"[,;:]|\s+and\s+(?=[a-z]+ed\b|won\b|was\b|is\b)|\s+but\s+")


def _clause(text: str, at: int) -> str:
    """The clause of ``text`` around position ``at`` (see ``_CLAUSE_END``)."""
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, at)), default=0)
    end = next((m.start() for m in _CLAUSE_END.finditer(text, at)), len(text))
    return text[start:end]


def _sole(text: str) -> list[set[str]]:
    """The tokens of each clause that says something was done alone."""
    return [set(tokens(_clause(text, m.start()))) for m in _ALONE.finditer(text)]


def _joint(text: str) -> list[tuple[set[str], set[str]]]:
    """(tokens of the clause, tokens of the partners) of each "shared ... with P" statement."""
    out = []
    for m in _SHARED.finditer(text):
        clause = _clause(text, m.start())
        partners = re.split(r"[,.;:()]", text[m.end():], maxsplit=1)[0]
        out.append((set(tokens(clause)), set(tokens(partners))))
    return out


_SOLE_WORDS = frozenset(stem(w) for w in
                        "alone shared share shares sharing jointly together with".split())


def sole_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                  known: frozenset[str]) -> str | None:
    """One says it was done alone, the other with others, of the same deed: "shared the
    1911 Nobel Prize in Chemistry with Pierre Curie" against "won the 1911 Nobel Prize in
    Chemistry alone". The same deed: the claim's words but the partners mostly in the
    other's clause, and its numbers (a year, a count) all there."""
    if not (free(claim) and free(sentence)):
        return None
    pairs = [(joint, partners, sole) for joint, partners in _joint(claim)
             for sole in _sole(sentence)]
    pairs += [(joint, partners, sole) for joint, partners in _joint(sentence)
              for sole in _sole(claim)]
    for joint, partners, sole in pairs:
        deed = joint - partners - _SOLE_WORDS
        other = sole - _SOLE_WORDS
        numbers = {t for t in deed | other if t[:1].isdigit()}
        if not numbers <= deed & other:
            continue  # another year or count: another deed
        rest = set(tokens(claim)) & deed if _joint(claim) else set(tokens(claim)) & other
        theirs = other if _joint(claim) else deed
        if subject(claim, rest, theirs | known, weight, SAME_SUBJECT_AT):
            return "alone or with others"
    return None


# --- depends on it or not ----------------------------------------------------------------

_DEPENDS = re.compile(r"\b(?:grows?|varies|vary|scales?|changes?|increases?)\s+with\b|"
                      r"\bdepends?\s+(?:up)?on\b|\bproportional\s+to\b|\ba\s+function\s+of\b",
                      re.I)
_INDEPENDENT = re.compile(r"\b(?:regardless|independent(?:ly)?|irrespective)\s+of\b|"
                          r"\b(?:does|do)\s+not\s+depend\s+(?:up)?on\b|\bno\s+matter\b", re.I)


def _objects(pattern: re.Pattern[str], text: str) -> list[set[str]]:
    """What a sentence says something depends on (or not): the first two words after."""
    return [set(tokens(re.split(r"[,.;:()]", text[m.end():], maxsplit=1)[0])[:2])
            for m in pattern.finditer(text)
            if not (pattern is _DEPENDS and re.search(r"\bnot\s+$", text[: m.start()]))]


def _frame_words(text: str, *patterns: re.Pattern[str]) -> set[str]:
    return {t for p in patterns for m in p.finditer(text) for t in tokens(m.group())}


def dependency_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                        known: frozenset[str]) -> str | None:
    """"It grows with the page size" against "regardless of page size"."""
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    for dep, indep in ((_objects(_DEPENDS, claim), _objects(_INDEPENDENT, sentence)),
                       (_objects(_INDEPENDENT, claim), _objects(_DEPENDS, sentence))):
        for a in dep:
            for b in indep:
                if a and a == b & a:
                    rest = c_toks - a - _frame_words(claim, _DEPENDS, _INDEPENDENT)
                    if subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                        return f"depends on {' '.join(sorted(a))} or not"
    return None


# --- since when ---------------------------------------------------------------------------

_VERSION = r"(\d+\.\d+(?:\.\d+)?)"
# The product a version is of ("in SQLite 3.6.0"): a name the other sentence may leave out
# ("beginning with version 3.7.0"), not the subject (``since_conflict``).
_PRODUCT = r"(?:(?P<product>[A-Z]\w*)\s+)?"
_SINCE = [
    re.compile(r"\b(?:introduced|added|arrived|appeared|available|new|first\s+released)\b"
               rf"[^.;]*?\b(?:in|since|with|as\s+of)\s+{_PRODUCT}(?:version\s+)?{_VERSION}",
               re.I),
    re.compile(rf"\b(?:since|beginning\s+with|starting\s+with|as\s+of)\s+{_PRODUCT}"
               rf"(?:version\s+)?{_VERSION}", re.I),
]
_SINCE_WORDS = frozenset(stem(w) for w in
                         "introduced added arrived appeared available new since version "
                         "beginning starting first released".split())


# What every frame here needs in a sentence before it is read: compare() tries the frames on
# every pair of sentences it compares, and most pairs have none (profiled on 3,000 pairs of
# the SQLite pages: the frames take 6 % of a comparison's time).
TRIGGERS: dict[str, re.Pattern[str]] = {
    "cardinality": _AT_ONCE,
    "agent": AGENT_WORD,
    "preference": re.compile(f"{_PREFER.pattern}|{_CONTRAST.pattern}", re.I),
    "dependency": re.compile(f"{_DEPENDS.pattern}|{_INDEPENDENT.pattern}", re.I),
    "since": re.compile(r"\d+\.\d+"),
    "origin": ORIGIN_WORD,
    "sole": re.compile(f"{_ALONE.pattern}|{_SHARED.pattern}", re.I),
}


def since_versions(text: str) -> set[str]:
    """The versions a sentence says something arrived in ("introduced in 3.6.0",
    "beginning with version 3.7.0")."""
    return {m.group(2) for p in _SINCE for m in p.finditer(text)}


def _products(text: str) -> set[str]:
    """The tokens of the products whose versions a sentence's since-phrases name."""
    return {t for p in _SINCE for m in p.finditer(text) if m.group("product")
            for t in tokens(m.group("product"))}


def since_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                   known: frozenset[str]) -> str | None:
    """The same thing arriving in another version: neither version in the other sentence."""
    mine, theirs = since_versions(claim), since_versions(sentence)
    if not mine or not theirs or mine & theirs:
        return None
    if any(v in sentence for v in mine) or any(v in claim for v in theirs):
        return None
    if not (free(claim) and free(sentence)):
        return None
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    # A name of each the other lacks: two things ("SQLITE_ENABLE_STAT4 as of 3.8.1" /
    # "SQLITE_ENABLE_STAT3 as of 3.7.9"), whatever their other words share.
    if name_tokens(claim) - _products(claim) - s_toks and \
            name_tokens(sentence) - _products(sentence) - c_toks:
        return None
    numbers = {t for t in c_toks if t[:1].isdigit()}
    rest = c_toks - numbers - _SINCE_WORDS - STOPWORDS - _products(claim)
    if subject(claim, rest, set(tokens(sentence)) | known, weight, SINCE_SUBJECT_AT):
        return f"since when: {', '.join(sorted(mine))} vs {', '.join(sorted(theirs))}"
    return None
