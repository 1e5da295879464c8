"""Statement frames: fixed ways of saying one thing, read off a sentence, and when two differ.

Pure functions. The slot rules of :mod:`claims` see a contradiction when two sentences
share their words but one slot; a frame sees it when they say the same *kind* of thing
about the same subject in other words: "generated columns are STORED by default" against
"if the keyword is omitted, VIRTUAL is the default" (the default), "several connections
can write at the same time" against "there can only be one writer at a time" (how many
at once), "led by Gustave Eiffel" against "led by Ferdinand de Lesseps" (who did it),
"with hemoglobin" against "with hemocyanin instead of hemoglobin" (which of two),
"grows with the page size" against "regardless of page size" (depends on it or not),
"introduced in 3.6.0" against "beginning with version 3.7.0 ... is available" (since
when). Each frame is one pure reader and one rule (:func:`frame_conflict` tries them in
turn); every rule asks for the same subject and no condition on the frame, so a case or a
different thing is left to the judge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from durable_research.research.passages import STOPWORDS, stem
from durable_research.research.statements import name_tokens, tokens

# A subject has this many words at least, the frame's aside.
MIN_SUBJECT_WORDS = 2
# The share of the claim's subject words (IDF-weighted, the frame's own words left out)
# the sentence must hold (or its source name) for a frame to compare the two.
SAME_SUBJECT_AT = 0.6
# A version is a loose slot (every feature has one): the subject must be the claim's.
SINCE_SUBJECT_AT = 0.75
# Frames whose slot is a name or a preference pair are specific enough for less: "A French
# company led by Ferdinand de Lesseps" is about "the French attempt to build the canal".
LOOSE_SUBJECT_AT = 0.5

_Q = "[\"'`“‘]?"
_QE = "[\"'`”’]?"
_VALUE = rf"{_Q}([\w.-]+){_QE}"
# Conditions that turn a frame into a case ("when shared cache is used, it is on"), or
# into a question ("no assumptions about whether foreign keys are enabled by default").
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|except|provided|whether)\b", re.I)
# Where a sentence goes on to a consequence or a second predicate: a condition after it
# belongs to that part ("is off by default and so if the application does nothing ...";
# "imposes extra overhead and should be avoided if not strictly needed").
_ONWARDS = re.compile(r",?\s+and\s+(?:so|thus|therefore|should|must|may|might|will|can|it)\b"
                      r"|,\s*so\b|;|\s+so\s+that\b", re.I)


def main_part(text: str) -> str:
    """The sentence up to where it goes on to a consequence or a second predicate, when a
    condition stands only after that point (else the whole sentence)."""
    cond = _CONDITION.search(text)
    cut = _ONWARDS.search(text)
    if cond is None or cut is None or cut.start() > cond.start():
        return text
    return text[: cut.start()]


def _free(text: str, allowed: Iterable[tuple[int, int]] = ()) -> bool:
    """Whether no condition bears on the frame: none in the main part, but the frame's own
    ("unless you write Y", "if ... is omitted")."""
    head = main_part(text)
    spans = list(allowed)
    return not any(not any(a <= m.start() < b for a, b in spans)
                   for m in _CONDITION.finditer(head))


def _share(part: set[str], whole: set[str], weight: Callable[[str], float]) -> float:
    total = sum(weight(t) for t in whole)
    return sum(weight(t) for t in part & whole) / total if total else 1.0


def _subject(claim: str, rest: set[str], sentence: set[str], weight: Callable[[str], float],
             at: float) -> bool:
    """Whether a sentence (its tokens and its source's names) is about the claim's subject:
    ``rest``, the claim's words but the frame's, mostly there, and the claim's names all
    ("SQLITE_MAX_LENGTH defaults to ..." is not about SQLITE_MAX_COLUMN) but common ones."""
    if len(rest) < MIN_SUBJECT_WORDS:
        return False  # "Delete the journal file." is no subject: an instruction's step
    missing = name_tokens(claim) & rest - sentence
    if missing:
        # A name left out may be the setting all sources share ("SQLite" in a pool about
        # SQLite: a common word, weighing less than the claim's average one), not a name
        # that sets another subject apart.
        average = sum(weight(t) for t in rest) / len(rest)
        if any(weight(t) >= average for t in missing):
            return False
    return _share(sentence, rest, weight) >= at


# --- the default -------------------------------------------------------------------------

# On and off in their many words: "is enabled by default" and "is on by default" agree.
_ON = frozenset(stem(w) for w in "on enabled enable true yes active".split())
_OFF = frozenset(stem(w) for w in "off disabled disable false no inactive".split())
# Words that are no value: "is not enabled by default", "is normally off by default".
_NOT_VALUES = frozenset("not no also still always usually normally typically now often "
                        "generally only never the a an set turned".split())
_DEFAULT_PATTERNS = [
    # "VIRTUAL is the default", "DELETE is the default mode"
    re.compile(rf"{_VALUE}\s+is\s+the\s+default\b", re.I),
    # "defaults to WAL", "default to 0"
    re.compile(rf"\bdefaults?\s+to\s+{_VALUE}", re.I),
    # "is off by default", "are STORED by default"
    re.compile(rf"\b(?:is|are)\s+{_VALUE}\s+by\s+default\b", re.I),
    # "By default, foreign keys are off"
    re.compile(rf"\bby\s+default,?\s+(?:[\w-]+\s+){{0,6}}?(?:is|are)\s+{_VALUE}", re.I),
    # "are STORED unless you write VIRTUAL": STORED is the default
    re.compile(rf"\b(?:is|are)\s+{_VALUE}\s+unless\s+(?:you|the\s+\w+|one)\s+(?:write|specify|"
               r"say|use|add|request|ask|choose|pick|set)s?\b", re.I),
    # "The default transaction behavior is DEFERRED"
    re.compile(rf"\bthe\s+default\s+(?:[\w-]+\s+){{0,3}}?(?:is|are)\s+{_VALUE}", re.I),
    # "A plain BEGIN starts an IMMEDIATE transaction": what it does with no option given
    re.compile(r"\b(?:plain|bare)\s+[\w-]+\s+(?:[\w-]+\s+){0,3}?(?:starts?|creates?|uses?|"
               rf"gives?|opens?|begins?|makes?)\s+(?:an?\s+|the\s+)?{_VALUE}", re.I),
]
# The frame's own condition: "if the keyword is omitted, X is the default".
_OMITTED = re.compile(r"\b(?:if|when)\b[^,.;]*?\b(?:omitted|left out|not specified|not given|"
                      r"unspecified|absent)\b", re.I)
# Values a sentence lists as alternatives of one slot: "VIRTUAL or STORED", "DEFERRED,
# IMMEDIATE, or EXCLUSIVE", "either A or B".
_ALTERNATIVES = re.compile(
    rf"{_Q}([\w.-]+){_QE}(?:\s*,\s*{_Q}[\w.-]+{_QE})*,?\s+or\s+{_Q}([\w.-]+){_QE}")
_FRAME_WORDS = frozenset(stem(w) for w in "default defaults unless omitted by".split())


@dataclass(frozen=True)
class Default:
    """A sentence's statement of a default: its value (tokens, on/off as ``on``/``off``)."""

    value: frozenset[str]
    start: int
    end: int


def _canonical(value: set[str]) -> frozenset[str]:
    if value & _ON:
        return frozenset({"on"})
    if value & _OFF:
        return frozenset({"off"})
    return frozenset(value)


def defaults(text: str) -> list[Default]:
    """The defaults a sentence states ("X is the default", "defaults to X", "X by default",
    "X unless you write Y"); none in the past tense ("the default was 1024" is history)."""
    found: list[Default] = []
    for pattern in _DEFAULT_PATTERNS:
        for m in pattern.finditer(text):
            word = m.group(1)
            if word.lower() in _NOT_VALUES or word.lower().endswith("ly"):
                continue
            value = set(tokens(word)) or ({stem(word.lower())} & (_ON | _OFF))
            if value:
                found.append(Default(_canonical(value), m.start(), m.end()))
    return found


def alternatives(text: str) -> set[str]:
    """Tokens of the values a sentence lists as alternatives ("A, B, or C")."""
    out: set[str] = set()
    for m in _ALTERNATIVES.finditer(text):
        out.update(tokens(m.group()))
    return out - {"or"}


Groups = frozenset[frozenset[str]]


def alternative_groups(text: str) -> set[frozenset[str]]:
    """Each list of alternatives a sentence gives ("DEFERRED, IMMEDIATE, or EXCLUSIVE"), as
    the first token of each value: what gathered sources list as the values of one slot."""
    out: set[frozenset[str]] = set()
    for m in _ALTERNATIVES.finditer(text):
        values = re.split(r",|\bor\b", m.group())
        group = frozenset(toks[0] for v in values if (toks := tokens(v)))
        if len(group) > 1:
            out.add(group)
    return out


def exclusive(a: set[str] | frozenset[str], b: set[str] | frozenset[str],
              groups: Groups) -> bool:
    """Whether two values are alternatives of one list (and not the same value)."""
    return not a & b and any(a & g and b & g for g in groups)


def _allowed(text: str, d: Default) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _OMITTED.finditer(text)]
    if "unless" in text[d.start:d.end].lower():
        spans.append((d.start, d.end))
    return spans


def default_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                     known: frozenset[str], groups: Groups = frozenset()) -> str | None:
    """Two defaults of the same subject with different values ("STORED by default" /
    "VIRTUAL is the default"). The same subject: the claim's other words are there, or the
    sentence lists both values as alternatives of its slot ("VIRTUAL or STORED"), or the
    gathered sources do (``groups``: "DEFERRED, IMMEDIATE, or EXCLUSIVE") and the sentence
    shares a word of the claim's subject."""
    mine = [d for d in defaults(claim) if _free(claim, _allowed(claim, d))]
    theirs = [d for d in defaults(sentence) if _free(sentence, _allowed(sentence, d))]
    if not mine or not theirs:
        return None
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    s_main = set(tokens(main_part(sentence)))
    listed = alternatives(sentence)
    for c in mine:
        for s in theirs:
            if c.value & s.value or c.value & s_main - listed - s.value:
                continue  # the same value, or the claim's stated there in another role
            rest = c_toks - c.value - _FRAME_WORDS - (_ON | _OFF)
            same_slot = (c.value <= listed and s.value <= listed) or \
                (exclusive(c.value, s.value, groups) and bool(rest & s_toks))
            onoff = c.value | s.value == {"on", "off"}
            if same_slot or (_subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT) and
                             (onoff or _keyword(claim, c.value))):
                return f"defaults differ: {_words(claim, c)} vs {_words(sentence, s)}"
    return None


def _keyword(text: str, value: frozenset[str]) -> bool:
    """Whether a value is a keyword, a name or a number (not an everyday word that may
    only describe: "is small by default")."""
    return bool(value & name_tokens(text)) or any(t[:1].isdigit() for t in value) or \
        any(w.isupper() and len(w) > 1 and set(tokens(w)) & value
            for w in re.findall(r"[\w.-]+", text))


def _words(text: str, d: Default) -> str:
    return " ".join(text[d.start:d.end].split())


# --- how many at once --------------------------------------------------------------------

_ONE = re.compile(r"\b(?:only\s+(?:be\s+)?one|just\s+one|a\s+single|one\s+single|at\s+most\s+one|"
                  r"exactly\s+one|only\s+a\s+single|no\s+more\s+than\s+one)\s+((?:[\w-]+\s+){0,3})",
                  re.I)
_MANY = re.compile(r"\b(?:several|multiple|many|two\s+or\s+more|more\s+than\s+one|"
                   r"any\s+number\s+of)\s+((?:[\w-]+\s+){0,4})", re.I)
_AT_ONCE = re.compile(r"\b(?:at\s+a\s+time|at\s+once|at\s+the\s+same\s+time|simultaneously|"
                      r"concurrently|in\s+parallel)\b", re.I)


def _heads(pattern: re.Pattern[str], text: str) -> list[set[str]]:
    return [set(tokens(m.group(1))) for m in pattern.finditer(text)]


def _kin(a: set[str], b: set[str]) -> bool:
    """Whether two sets share a word, "writer" and "write" alike (a stem of four letters or
    more that begins the other)."""
    return any(x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))
               for x in a for y in b)


def cardinality_conflict(claim: str, sentence: str) -> str | None:
    """"Only one writer at a time" against "several connections can write at the same
    time": one against many of the same thing, both about what happens at once."""
    if not (_AT_ONCE.search(claim) and _AT_ONCE.search(sentence)):
        return None
    if not (_free(claim) and _free(sentence)):
        return None
    for one, many in ((_heads(_ONE, claim), _heads(_MANY, sentence)),
                      (_heads(_ONE, sentence), _heads(_MANY, claim))):
        if any(_kin(a, b) for a in one for b in many):
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
            if _subject(claim, rest, s_toks | known, weight, LOOSE_SUBJECT_AT) and _free(sentence):
                return f"names differ: {verb} by {_shown(claim, name)} vs {_shown(sentence, other)}"
    return None


def _shown(text: str, toks: set[str]) -> str:
    words = [w.strip(".,;:") for w in text.split() if set(tokens(w)) & toks]
    return " ".join(words) or " ".join(sorted(toks))


# --- which of two ------------------------------------------------------------------------

_PREFER = re.compile(r"\b(?:instead\s+of|rather\s+than)\b", re.I)


@dataclass(frozen=True)
class Preference:
    """"A instead of B": the tokens of the chosen A and of the rejected B."""

    chosen: frozenset[str]
    rejected: frozenset[str]


def preferences(text: str, width: int = 3) -> list[Preference]:
    """The preferences a sentence states ("A instead of B", "A rather than B"): up to
    ``width`` content words on each side, within the clause."""
    found: list[Preference] = []
    for m in _PREFER.finditer(text):
        before = re.split(r"[.;:(]", text[: m.start()])[-1]
        after = re.split(r"[,.;:()]", text[m.end():], maxsplit=1)[0]
        chosen = set(tokens(before)[-width:])
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
    if not theirs or not _free(sentence):
        return None
    mine = preferences(claim)
    c_toks, s_toks = set(tokens(claim)), set(tokens(sentence))
    for s in theirs:
        if not s.rejected:
            continue
        for c in mine:
            rest = c_toks - c.chosen - c.rejected
            if c.chosen & s.rejected and c.rejected & s.chosen and \
                    _subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                return "which of two: the other way round"
        if not mine and s.rejected <= c_toks and not s.chosen & c_toks:
            rest = c_toks - s.rejected
            if _subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                return f"one says instead of: {_shown(claim, set(s.rejected))}"
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
                    if _subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT):
                        return f"depends on {' '.join(sorted(a))} or not"
    return None


# --- since when ---------------------------------------------------------------------------

_VERSION = r"(\d+\.\d+(?:\.\d+)?)"
_SINCE = [
    re.compile(r"\b(?:introduced|added|arrived|appeared|available|new|first\s+released)\b"
               rf"[^.;]*?\b(?:in|since|with|as\s+of)\s+(?:[A-Z]\w*\s+)?(?:version\s+)?{_VERSION}",
               re.I),
    re.compile(rf"\b(?:since|beginning\s+with|starting\s+with|as\s+of)\s+(?:[A-Z]\w*\s+)?"
               rf"(?:version\s+)?{_VERSION}", re.I),
]
_SINCE_WORDS = frozenset(stem(w) for w in
                         "introduced added arrived appeared available new since version "
                         "beginning starting first released".split())


def since_versions(text: str) -> set[str]:
    """The versions a sentence says something arrived in ("introduced in 3.6.0",
    "beginning with version 3.7.0")."""
    return {m.group(1) for p in _SINCE for m in p.finditer(text)}


def since_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                   known: frozenset[str]) -> str | None:
    """The same thing arriving in another version: neither version in the other sentence."""
    mine, theirs = since_versions(claim), since_versions(sentence)
    if not mine or not theirs or mine & theirs:
        return None
    if any(v in sentence for v in mine) or any(v in claim for v in theirs):
        return None
    if not (_free(claim) and _free(sentence)):
        return None
    numbers = {t for t in tokens(claim) if t[:1].isdigit()}
    rest = set(tokens(claim)) - numbers - _SINCE_WORDS - STOPWORDS
    if _subject(claim, rest, set(tokens(sentence)) | known, weight, SINCE_SUBJECT_AT):
        return f"since when: {', '.join(sorted(mine))} vs {', '.join(sorted(theirs))}"
    return None


def frame_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                   known: frozenset[str] = frozenset(), groups: Groups = frozenset()
                   ) -> str | None:
    """The first frame by which ``sentence`` contradicts ``claim`` (its reason), or None;
    ``groups``: the lists of alternatives the gathered sources give."""
    return (default_conflict(claim, sentence, weight, known, groups)
            or cardinality_conflict(claim, sentence)
            or agent_conflict(claim, sentence, weight, known)
            or preference_conflict(claim, sentence, weight, known)
            or dependency_conflict(claim, sentence, weight, known)
            or since_conflict(claim, sentence, weight, known))
