"""What a number in a sentence stands for, so that only like faces like.

Pure functions for the claim rules (:mod:`claims`). Tokens lose their punctuation
("3.38.0" -> ``3380``, "2022-02-22" -> ``20220222``), so the kind is read from the text.
Measured on the evaluation's reports (19 questions over the SQLite documentation): once the
second retrieval pass put more official pages side by side, 9 of 15 disputes between two
official pages were a number against a number of another kind or role: a release date
against a version ("version 3.38.0 (2022-02-22)" / "3.37.2 and earlier"), a code in
parentheses against a count ("a hidden column (1)" / "two hidden columns"), one of a list
of allowed values ("either zero or one argument" / "either 2 or 3 arguments"), or two
versions that date two different changes ("beginning with version 3.38.0, those functions
are included" / "this constraint was relaxed beginning with version 3.22.0").
"""

from __future__ import annotations

import re
from enum import StrEnum

from durable_research.research.passages import is_number
from durable_research.research.statements import tokens


class NumberKind(StrEnum):
    DATE = "date"
    VERSION = "version"
    QUANTITY = "quantity"
    # A number that names a numbered thing ("note 6", "section 2", "PEP 8"), no value.
    LABEL = "label"


_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Three or four dotted parts, or two after the word "version" ("version 3.12").
_VERSION = re.compile(r"\b\d+\.\d+\.\d+(?:\.\d+)?\b|(?i:\bversions?\s+)\d+\.\d+(?![.\d])")
_PARENS = re.compile(r"\([^()]*\)")
# A number after a word for a numbered part or document: two sentences that differ only
# there ("SQLite WAL note 6: ..." / "SQLite WAL note 16: ...", each the same statement)
# were printed "numbers differ: 6 vs 16" (a folder of one-line notes: every quote
# disputed). A count after such a word has a unit after it, not before ("4 sections").
_LABEL = re.compile(r"(?i:\b(?:notes?|sections?|chapters?|figures?|fig|appendix|footnotes?|"
                    r"listings?|examples?|steps?|items?|parts?|articles?|pep|rfc|issues?)"
                    r"\.?\s+)\d+(?!\d|\.\d)")


def number_kinds(text: str) -> dict[str, NumberKind]:
    """The tokens of ``text`` that are dates, versions or labels (every other number is a
    quantity: :func:`kind_of`)."""
    kinds: dict[str, NumberKind] = {}
    for m in _DATE.finditer(text):
        kinds.update((t, NumberKind.DATE) for t in tokens(m.group()))
    # A token keeps the first kind found: a date over a version, a version over a label.
    for pattern, kind in ((_VERSION, NumberKind.VERSION), (_LABEL, NumberKind.LABEL)):
        for m in pattern.finditer(text):
            for t in tokens(m.group()):
                if t[:1].isdigit():
                    kinds.setdefault(t, kind)
    return kinds


def kind_of(token: str, kinds: dict[str, NumberKind]) -> NumberKind:
    return kinds.get(token, NumberKind.QUANTITY)


def timeline(kind: NumberKind) -> bool:
    """Whether a number of this kind says *when* (a release or a date), not how much."""
    return kind in (NumberKind.DATE, NumberKind.VERSION)


def parenthesised(text: str) -> tuple[set[str], set[str]]:
    """The tokens of ``text`` inside parentheses, and those outside them."""
    inside = {t for m in _PARENS.finditer(text) for t in tokens(m.group())}
    return inside, set(tokens(_PARENS.sub(" ", text)))


def asides(text: str) -> set[str]:
    """Tokens that stand only in parentheses: a date after its version, a code after its
    name ("a hidden column in a virtual table (1)"), never the statement's own value."""
    inside, outside = parenthesised(text)
    return inside - outside


# Words for a place in the document, not a quantity, unless a number follows them
# ("the syntax diagram above" / "the diagrams below", but "above 1000 pages").
POSITION_WORDS = frozenset(tokens("above below"))


def points_within_document(toks: list[str], i: int) -> bool:
    """Whether ``toks[i]`` (a position word) points to another part of the document: no
    number follows it within two words."""
    return toks[i] in POSITION_WORDS and not any(is_number(t) for t in toks[i + 1 : i + 3])


# Units of measure: a number followed by one counts it in that unit. Stemmed at use, like
# the tokens. Counted things ("125 databases", "protocol 4 was ...") are no unit: the word
# after a number is mostly not one (on the Python set "protocol 4 was introduced" and
# "protocol 5, added" were two units when any word counted, and "up to 125 databases"
# against "set to 10 by default" on the first set).
_UNITS = frozenset(t for w in """
bit bits byte bytes kilobyte kilobytes megabyte megabytes gigabyte gigabytes terabyte
terabytes petabyte petabytes kibibyte kibibytes mebibyte mebibytes gibibyte gibibytes
tebibyte tebibytes kb mb gb tb pb kib mib gib tib page pages character characters
nanosecond nanoseconds microsecond microseconds millisecond milliseconds ms second seconds
minute minutes hour hours day days week weeks month months year years
metre metres meter meters kilometre kilometres kilometer kilometers mile miles
gram grams kilogram kilograms tonne tonnes percent
""".split() for t in tokens(w))


def units_differ(c_toks: list[str], i: int, s_toks: list[str], j: int) -> bool:
    """Whether the numbers ``c_toks[i]`` and ``s_toks[j]`` are in different units of
    measure, each followed by its own ("2147483646 pages" / "1.4e+14 bytes", "281
    terabytes" / "281474 gigabytes": one limit in two units or two scales, a dispute between
    two official pages in the research eval's reports)."""
    mine, other = _unit(c_toks, i), _unit(s_toks, j)
    return bool(mine and other) and mine != other


def _unit(toks: list[str], i: int) -> str:
    after = toks[i + 1] if i + 1 < len(toks) else ""
    return after if after in _UNITS else ""
