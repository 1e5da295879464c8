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
when), "follows MySQL's ON DUPLICATE KEY UPDATE" against "follows the syntax established by
PostgreSQL" (whose model), "shared the 1911 prize with Pierre Curie" against "won the 1911
prize alone" (alone or with others). Each frame is one pure reader and one rule
(:func:`frame_conflict` tries them in turn; the default's are here, the others in
:mod:`frame_rules`); every rule asks for the same subject and no condition on the frame
(:mod:`framing`), so a case or a different thing is left to the judge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from durable_research.research.frame_rules import (
    TRIGGERS,
    agent_conflict,
    cardinality_conflict,
    dependency_conflict,
    origin_conflict,
    preference_conflict,
    since_conflict,
    sole_conflict,
)
from durable_research.research.framing import SAME_SUBJECT_AT, free, main_part, share, subject
from durable_research.research.passages import stem
from durable_research.research.statements import name_tokens, tokens

# The share of the words of the sentence's own default clause the claim must hold.
THEIR_SUBJECT_AT = 0.5
_Q = "[\"'`“‘]?"
_QE = "[\"'`”’]?"
_VALUE = rf"{_Q}([\w.-]+){_QE}"


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
# Words every default statement above has (a cheap test before reading them).
_DEFAULTISH = re.compile(r"\bdefaults?\b|\bunless\b|\bplain\b|\bbare\b", re.I)
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
    mine = [d for d in defaults(claim) if free(claim, _allowed(claim, d))]
    theirs = [d for d in defaults(sentence) if free(sentence, _allowed(sentence, d))]
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
            onoff = c.value | s.value == {"on", "off"}
            # The sources' lists: not for on and off (every setting is one or the other), and
            # with a word of the sentence's default clause in the claim ("this setting is ON
            # by default" is not about foreign keys, though a page lists "ON or OFF"; "the
            # default transaction behavior" is about "an IMMEDIATE transaction").
            same_slot = (c.value <= listed and s.value <= listed) or \
                (not onoff and exclusive(c.value, s.value, groups) and bool(rest & s_toks) and
                 _theirs_too(sentence, s, c_toks, weight, at=0.0))
            if same_slot or (subject(claim, rest, s_toks | known, weight, SAME_SUBJECT_AT) and
                             _theirs_too(sentence, s, c_toks, weight) and
                             (onoff or _keyword(claim, c.value))):
                return f"defaults differ: {_words(claim, c)} vs {_words(sentence, s)}"
    return None


def _theirs_too(sentence: str, d: Default, claim: set[str], weight: Callable[[str], float],
                at: float = THEIR_SUBJECT_AT) -> bool:
    """Whether the subject the sentence gives its default, in the default's clause, is the
    claim's too: "this setting is ON by default" is about something named elsewhere, "the
    default journaling mode is DELETE, which is the default behavior of deleting the
    journal at the end of each transaction" not about the transaction behavior."""
    start = max(sentence.rfind(p, 0, d.start) for p in ",;:(") + 1
    ends = [i for p in ",;:)" if (i := sentence.find(p, d.end)) >= 0]
    clause = sentence[start:min(ends, default=len(sentence))]
    own = set(tokens(clause)) - d.value - _FRAME_WORDS - _ON - _OFF - {"on", "off"}
    return bool(own & claim) and share(claim, own, weight) >= at


def _keyword(text: str, value: frozenset[str]) -> bool:
    """Whether a value is a keyword, a name or a number (not an everyday word that may
    only describe: "is small by default")."""
    return bool(value & name_tokens(text)) or any(t[:1].isdigit() for t in value) or \
        any(w.isupper() and len(w) > 1 and set(tokens(w)) & value
            for w in re.findall(r"[\w.-]+", text))


def _words(text: str, d: Default) -> str:
    return " ".join(text[d.start:d.end].split())


def frame_conflict(claim: str, sentence: str, weight: Callable[[str], float],
                   known: frozenset[str] = frozenset(), groups: Groups = frozenset()
                   ) -> str | None:
    """The first frame by which ``sentence`` contradicts ``claim`` (its reason), or None;
    ``groups``: the lists of alternatives the gathered sources give. A frame is read only
    when both sentences have its words (the sentence alone for "instead of": the claim may
    state the rejected thing plainly)."""
    def both(kind: str) -> bool:
        pattern = TRIGGERS[kind]
        return bool(pattern.search(sentence) and pattern.search(claim))

    if _DEFAULTISH.search(claim) and _DEFAULTISH.search(sentence):
        found = default_conflict(claim, sentence, weight, known, groups)
        if found:
            return found
    if both("cardinality") and (found := cardinality_conflict(claim, sentence, known)):
        return found
    if both("agent") and (found := agent_conflict(claim, sentence, weight, known)):
        return found
    if TRIGGERS["preference"].search(sentence) and \
            (found := preference_conflict(claim, sentence, weight, known)):
        return found
    if both("dependency") and (found := dependency_conflict(claim, sentence, weight, known)):
        return found
    if both("origin") and (found := origin_conflict(claim, sentence, weight, known)):
        return found
    if both("sole") and (found := sole_conflict(claim, sentence, weight, known)):
        return found
    if both("since"):
        return since_conflict(claim, sentence, weight, known)
    return None
