"""How a sentence reads to the claim comparison: its tokens, names, values, parts,
negations, conditions, and its shingles (is one text a copy of another?).

Pure functions, shared by :mod:`claims` (the comparison rules) and :mod:`evidence`.
"""

from __future__ import annotations

import re

from durable_research.research.opposites import KEPT_STOPWORDS
from durable_research.research.passages import is_number
from durable_research.research.passages import tokens as _tokens

# The weight of a kept stopword ("on", "off"): an ordinary word's, not the rarest's.
KEPT_WEIGHT = 1.0


_ONE = re.compile(r"\bone\b", re.I)
# A word that is the value of what precedes it: "the mode is auto", "defaults to WAL".
_VALUE = re.compile(r"\b(?:is|are|was|were|equals|defaults? to|set to)\s+(?:the |an? )?"
                    r"[\"'`“‘]?([\w.-]+)|=\s*([\w.-]+)", re.I)


# A version or an ISO date is one number to a comparison ("3.7.0" against "3.7.1", not
# three numbers with two in common): its parts joined, as tokens splits them otherwise.
_VERSION_OR_DATE = re.compile(r"\b\d+(?:\.\d+){2,}\b|\b\d{4}-\d{2}-\d{2}\b")
# A number in scientific notation is one number too ("1.4e+14" was "1", "4e" and "14", and
# its unit no longer followed it): written out.
_SCIENTIFIC = re.compile(r"\b\d+(?:\.\d+)?[eE][+-]?\d{1,3}\b")


def _written_out(number: str) -> str:
    value = float(number)
    return str(int(value)) if value.is_integer() else str(value).replace(".", "")


def tokens(text: str) -> list[str]:
    """The content tokens a comparison reads: search tokens plus "on", "off", "before"...

    Without "one", which reads as 1 but rarely states a count ("one of the largest"; "a
    single queen" is not "one queen" to a token): the support score does the same.
    Versions and dates are one token each (``_VERSION_OR_DATE``).
    """
    text = _VERSION_OR_DATE.sub(lambda m: re.sub(r"\D", "", m.group()), text)
    text = _SCIENTIFIC.sub(lambda m: _written_out(m.group()), text)
    return _tokens(_ONE.sub(" ", text), KEPT_STOPWORDS)


def value_tokens(text: str) -> set[str]:
    """Tokens of the words that stand as a value: after "is", "defaults to", "=" — not an
    adverb or a verb form ("is normally off", "is turned off": the value is elsewhere)."""
    words = (m.group(1) or m.group(2) for m in _VALUE.finditer(text))
    return {t for w in words if not w.lower().endswith(("ly", "ed", "ing")) for t in tokens(w)}


def name_tokens(text: str) -> set[str]:
    """Tokens of names: words with a capital inside (SQLite, WAL) or after the first word."""
    out: set[str] = set()
    for i, word in enumerate(text.split()):
        if word.islower() or not word.isascii() and word == word.lower():
            continue  # most words: no capital at all
        bare = word.lstrip("\"'“‘([*_`")
        if any(c.isupper() for c in bare[1:]) or (i > 0 and bare[:1].isupper()):
            out.update(t for t in tokens(word) if not is_number(t))
    return out


# Where a sentence's parts part: colons, semicolons, dashes and commas ("X is auto, so
# consumers never ack" holds two statements; "out of the box it listens on 5672, the same
# port as RabbitMQ" one and an aside).
# Not a comma between digits: "281,474,976,579,584" is one number.
_CLAUSE = re.compile(r"\s*(?:[:;—–]|,(?!\d)|\s-\s)\s*")
MIN_CLAUSE_TOKENS = 3
# The items of a list are no statements: "Each PRIMARY KEY, UNIQUE, NOT NULL and CHECK
# constraint has ..." parted at its commas gave "Each PRIMARY KEY, UNIQUE", which the
# foreign-key page's "are not the primary key of the parent table" denied; "temporary files
# other than the rollback, super, and statement journals" gave "temporary files other than
# the rollback" (two false disputes between official pages in the research eval's
# reports). A list: items of a few words between commas, the last one led by "and" or "or".
LIST_ITEM_WORDS = 3
_LIST_END = re.compile(rf"(?:\S+\s+){{0,{LIST_ITEM_WORDS}}}(?:and|or|nor)\b", re.I)


def _list_commas(parts: list[str], separators: list[str]) -> set[int]:
    """The indices of ``separators`` (``separators[i]`` stands after ``parts[i]``) that are
    a list's commas: a run of commas with short items between them, the part after the run
    starting its last item with "and" or "or" ("A, B, and C", "A, B, C and D")."""
    found: set[int] = set()
    i = 0
    while i < len(separators):
        run = i
        # Extend the run over commas that each close a short item.
        while run + 1 < len(separators) and separators[run].strip() == "," and \
                separators[run + 1].strip() == "," and \
                len(parts[run + 1].split()) <= LIST_ITEM_WORDS:
            run += 1
        if run > i and separators[run].strip() == "," and _LIST_END.match(parts[run + 1]):
            found.update(range(i, run + 1))
        i = run + 1
    return found


def clauses(text: str) -> list[str]:
    """The parts of a sentence that state something (three content words or more, numbers
    not counted); a shorter part belongs to the next ("In WAL mode, readers do not block"
    is one, "with version 3.6.19 (2009-10-14)" no statement of its own), and so does a
    list's item (``_list_commas``)."""
    split = _CLAUSE.split(text)
    seps = [m.group() for m in _CLAUSE.finditer(text)]
    listed = _list_commas(split, seps)
    # The list's items joined back, in the text's own words.
    joined: list[str] = [split[0]]
    for i, sep in enumerate(seps):
        if i in listed:
            joined[-1] += sep + split[i + 1]
        else:
            joined.append(split[i + 1])
    out: list[str] = []
    pending = ""
    for part in joined:
        part = f"{pending}, {part}" if pending else part
        if sum(not is_number(t) for t in tokens(part)) >= MIN_CLAUSE_TOKENS:
            out.append(part)
            pending = ""
        else:
            pending = part
    if pending and out:
        out[-1] += f", {pending}"
    return out


_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|except|provided|assuming|"
                        r"as\s+long\s+as)\b", re.I)
_OTHER_CASE = re.compile(r"\W*(?:but|however|instead|otherwise|unlike|other|in contrast)\b",
                         re.I)
# A second case inside the sentence: "all pages are the same size, though for different
# database files, the page size can be ..." (the official pages' own words were taken for a
# contradiction of "the same database"); "builds for other operating systems do not
# contain a VFS by default" is not about the default builds.
_CONTRAST = re.compile(r"\b(?:though|although|whereas|(?:for|on|in|with)\s+other)\b", re.I)


def other_case(text: str) -> bool:
    """Whether a sentence speaks of a case: under a condition ("when the flag is set"), or
    turning from what was said before ("But at the end ...", "Other type names ...")."""
    return bool(_CONDITION.search(text) or _OTHER_CASE.match(text) or _CONTRAST.search(text))


# Plain negations only: "instead of", "rather than", "without" contrast two things, they
# do not deny one ("use BEGIN IMMEDIATE instead of BEGIN" twice is no conflict).
_NOT = re.compile(r"\b(?:not|no|never|none|nothing|neither|nor|cannot)\b|n[’']t\b", re.I)


# What a "not" denies: the next word ("is not enforced" denies "enforced", not the
# "tables" of "not allowed on tables"), or an enumeration of words ("not OFF, MEMORY, or
# WAL" denies all three); past an auxiliary or article ("does not have a storage class"
# denies "storage": "have" is a stopword, it denied nothing; see ``_negated``).
_WORD = (r"\s*(?:(?:be|been|have|has|had|a|an|the|any|\(?currently\)?|yet)\s+){0,2}"
         r"[\"'`“‘]?[\w-]+")
_DENIED = re.compile(rf"{_WORD}(?:\s*,{_WORD})*(?:\s*,?\s*(?:or|nor){_WORD})?")


def _negated(text: str) -> set[str]:
    """The content words each plain negation denies (see ``_DENIED``)."""
    out: set[str] = set()
    for m in _NOT.finditer(text):
        # The keyword first: "CHECK or FOREIGN KEY or NOT NULL constraints" is a list's last
        # item, not the alternative "or not" (which left the claim's NULL un-negated)
        keyword = _KEYWORD.match(text, m.end()) if m.group().isupper() else None
        if keyword:
            # "NOT NULL": a keyword, which denies its own word only ("must be NOT NULL"
            # against "allowed to be NULL"), not the list after it ("NOT NULL, CHECK, and
            # UNIQUE constraints" denied CHECK and UNIQUE)
            out.update(tokens(keyword.group()))
            continue
        if _OR.search(text, 0, m.start()):
            continue  # "whether or not X", "X or not": an alternative, it denies nothing
        denied = _DENIED.match(text, m.end())
        if denied is None:
            continue
        # "have" is the verb only after "does not" ("does not have a storage class"); after
        # a modal it is mostly an auxiliary or a rule ("must not have been closed", "may
        # not have a PRIMARY KEY"), which the official pages' other sentences do not deny.
        if _HAVE.match(denied.group()) and not _DO.search(text, 0, m.start()):
            continue
        out.update(tokens(denied.group()))
    return out


_OR = re.compile(r"\bor\s+$", re.I)
# A word in capitals after a "NOT" in capitals: both are a keyword ("NOT NULL").
_KEYWORD = re.compile(r"\s+[A-Z]{2,}\b")
_HAVE = re.compile(r"\s*(?:have|has|had)\b", re.I)
_DO = re.compile(r"\b(?:does|do|did)\s*$", re.I)


def negation_conflict(claim: str, sentence: str, cset: set[str], sset: set[str]) -> bool:
    """Whether one says "not" of what the other states: a word negated on one side stands
    un-negated on the other ("is not enforced" / "is enforced"). A "not" of something the
    other does not mention at all is no conflict ("is not allowed" / "results in an error")."""
    c_neg, s_neg = _negated(claim), _negated(sentence)
    return any(w in sset and w not in s_neg for w in c_neg) or \
        any(w in cset and w not in c_neg for w in s_neg)


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
