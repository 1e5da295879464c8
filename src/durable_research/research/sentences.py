"""Sentence boundaries in prose: where quotes may start and end.

Pure functions. A full stop ends a sentence only when whitespace and a word that does not
start in lower case follow it, and the word before it is not an abbreviation or an initial,
so "e.g. the", "Dr. Smith", "U.S. Navy", "3.40.1", "2.5 kg" and "config.yaml" stay inside
their sentences. The rules follow the citation checker's (``citations._boundary``), which
finds the sentences of the written report; quotes cut by the same rules are the sentences
that checker will see again.
"""

from __future__ import annotations

import re

# A terminator with the closing quotes, brackets and emphasis that belong to it; the
# Arabic question mark and Urdu full stop, the Devanagari danda (Hindi, Marathi ...), and
# Burmese and Khmer sections (။ ។ ៕), and the ideographic ones (full width, no space after
# them).
_END_RE = re.compile(r"[.!?…؟۔।॥။។៕]+[\"'”’»)\]*_]*|[。！？．｡]")
_TERMINATORS = ".!?…؟۔।॥။។៕。！？．｡"
# Thai and Lao mark no sentence end (a space or the paragraph's end is one): their text
# ends a sentence where it ends in a letter, digit or mark.
_UNMARKED_SCRIPT_RE = re.compile("[\u0e01-\u0e5b\u0e81-\u0edf]")
# A sentence that opens with one of these refers back to the one before it ("It is off by
# default"): read alone it says little. The judge reads such a sentence with the one before
# it (crosscheck.closest_sentences), and so does a notes call's cut passage
# (relevant.relevant_part); any other sentence is sent alone. English words only.
REFERS_BACK = re.compile(
    r"(?:it|its|this|these|that|those|they|their|them|such|he|she|his|her|there|then|thus|"
    r"hence|however|but|also|so|otherwise|instead|here|both|each|the\s+(?:former|latter|"
    r"same))\b", re.IGNORECASE)
# Words that take a full stop without ending a sentence (compared lower-cased, no dot).
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt vs al fig figs eq approx ca cf inc ltd co corp dept est vol "
    "pp ed eds jan feb mar apr jun jul aug sep sept oct nov dec gen col lt rev gov sen ref refs "
    "sec ch chap resp viz".split()
)
_DOTTED_RE = re.compile(r"(?:\w\.)+\w")  # "e.g", "i.e", "U.S"


def _is_end(text: str, match: re.Match[str]) -> bool:
    """Whether the terminator ``match`` ends a sentence of ``text``."""
    end = match.end()
    rest = text[end:].lstrip()
    if not rest:
        return True
    if match.group()[-1] in "。！？．｡":
        return True
    if not text[end].isspace():
        return False  # "3.5", "e.g.,", "example.com"
    if rest[0].islower():
        return False  # "e.g. the", "et al. found", "... and then"
    if "." not in match.group().rstrip("\"'”’»)]*_"):
        return True  # "!" or "?"
    start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    word = text[start : match.start()].lstrip("(\"'“‘[*_").lower()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False  # "Dr. Smith", "J. Smith"
    if word in ("no", "nos") and rest[0].isdigit():
        return False  # "No. 5" is a number sign; "said no. Then" ends a sentence
    return _DOTTED_RE.fullmatch(word) is None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, in order, without surrounding spaces.

    Line breaks count as spaces: ``text`` is one paragraph (soft-wrapped lines are one
    paragraph). Text after the last terminator is a sentence too (a heading, a caption).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END_RE.finditer(text):
        if match.end() > start and _is_end(text, match):
            spans.append((start, match.end()))
            start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        stripped = piece.strip()
        if stripped:
            a += len(piece) - len(piece.lstrip())
            out.append((a, a + len(stripped)))
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph, whitespace squashed."""
    return [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence terminator (closing quotes etc. allowed), or
    is Thai or Lao text that ends in a letter, digit or combining mark."""
    last = text.rstrip().rstrip("\"'”’»)]*_")[-1:]
    if last != "" and last in _TERMINATORS:
        return True
    return bool(_UNMARKED_SCRIPT_RE.search(text)) and last != "" and (
        last.isalnum() or f"a{last}".isidentifier())
