"""Whose setting a statement speaks of: the thing its setting, option, pragma or constraint
belongs to ("the PRAGMA reverse_unordered_selects setting", "the legacy_alter_table
option", "CHECK constraints").

Pure functions, used by the claim rules (:mod:`claims`): two statements about the settings
of two owners are about two subjects, whatever else they share ("The default setting is
off, meaning that CHECK constraints are enforced" against "This option causes the PRAGMA
reverse_unordered_selects setting to be enabled by default": "opposite words: off vs
enabled" between two official pages in the research eval's reports).
"""

from __future__ import annotations

import re

from durable_research.research.statements import tokens

# The nouns that belong to something a documentation page names: a setting of a pragma, an
# option of a build, a constraint of a kind. Not "port", "mode" or "file": "the broker
# listens on TCP port 7450" is the broker's port all the same (a decoy of the fixture
# corpus, tests/data/conflict_docs, says "port 5672").
OWNED_NOUNS = frozenset({"setting", "settings", "option", "options", "pragma", "pragmas",
                         "constraint", "constraints"})
# Words before an owned noun read back for its owner ("the PRAGMA reverse_unordered_selects
# setting": two; "the foreign key constraint": none of them a name).
OWNER_WORDS = 2
# The word that names what follows it: "PRAGMA foreign_keys".
_NAMES_NEXT = frozenset({"pragma"})
_EDGE = "\"'“”‘’()[]{}*_`,.;:!?"


def _bare(word: str) -> str:
    return word.strip(_EDGE)


def _is_name(word: str, first: bool) -> bool:
    """An identifier or a name: a word with an underscore (reverse_unordered_selects), a
    capital after its first letter (CHECK, SQLite), or a capital opening a word that does
    not open the sentence. Plain words ("default", "foreign key") name nothing."""
    if not word or not any(c.isalpha() for c in word):
        return False
    return "_" in word or any(c.isupper() for c in word[1:]) or \
        (not first and word[0].isupper())


def owners(text: str) -> set[str]:
    """The tokens of the names a statement gives its settings, options, pragmas and
    constraints: the names just before such a noun (up to ``OWNER_WORDS``, the nouns
    themselves passed over: "PRAGMA" in "the PRAGMA X setting") and the name after
    "PRAGMA"."""
    words = text.split()
    out: set[str] = set()
    for i, raw in enumerate(words):
        word = _bare(raw)
        if word.lower() not in OWNED_NOUNS:
            continue
        if word.lower() in _NAMES_NEXT and i + 1 < len(words) and not re.search(r"[,.;:]$",
                                                                                raw):
            after = _bare(words[i + 1])
            if _is_name(after, first=False):
                out.update(tokens(after))
        j, seen = i - 1, 0
        while j >= 0 and seen < OWNER_WORDS:
            before = _bare(words[j])
            if re.search(r"[,.;:]$", words[j]):
                break  # another part of the sentence
            if before.lower() in OWNED_NOUNS:
                j -= 1
                continue
            if not _is_name(before, first=j == 0):
                break
            out.update(tokens(before))
            seen += 1
            j -= 1
    return out


def other_owner(claim: str, sentence: str) -> bool:
    """Whether the sentence names the owner of its setting and the claim never does: the
    sentence speaks of another setting than the claim's ("the PRAGMA
    reverse_unordered_selects setting" against "The default setting is off, meaning that
    CHECK constraints are enforced"). Not the other way round: a sentence that names no
    owner may leave it to its page ("The default setting is off." in a pragma's section),
    and the claim's capitalised names are the name rule's already (:mod:`claims`)."""
    theirs = owners(sentence)
    return bool(theirs) and not theirs & set(tokens(claim))
