"""What every statement frame (:mod:`frames`, :mod:`frame_rules`) asks of two sentences:
no condition bearing on the frame, and the same subject.

Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from durable_research.research.statements import name_tokens

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

# Conditions that turn a frame into a case ("when shared cache is used, it is on"), or
# into a question ("no assumptions about whether foreign keys are enabled by default").
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|except|provided|assuming|whether|"
                        r"as\s+long\s+as)\b", re.I)
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


def free(text: str, allowed: Iterable[tuple[int, int]] = ()) -> bool:
    """Whether no condition bears on the frame: none in the main part, but the frame's own
    ("unless you write Y", "if ... is omitted")."""
    head = main_part(text)
    spans = list(allowed)
    return not any(not any(a <= m.start() < b for a, b in spans)
                   for m in _CONDITION.finditer(head))


def share(part: set[str], whole: set[str], weight: Callable[[str], float]) -> float:
    """The weighted share of ``whole``'s tokens that ``part`` holds (1 for nothing)."""
    total = sum(weight(t) for t in whole)
    return sum(weight(t) for t in part & whole) / total if total else 1.0


def subject(claim: str, rest: set[str], sentence: set[str], weight: Callable[[str], float],
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
    return share(sentence, rest, weight) >= at
