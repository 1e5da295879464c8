"""The parts of a passage that bear on a question: its matching sentences, in source order.

Pure functions. A notes call sends each source's best passage whole and, of its other
passages, only the sentences that share two terms with the sub-question (one, when it has
fewer than three), each with the sentence before it (what a pronoun or "this" refers to),
whole sentences in source order, an elision line where sentences were left out. A table or
a fenced code block is one unit, kept or left out whole, so a kept table keeps its header;
a heading is a unit of its own. A sentence already sent in the prompt (boilerplate, a
sentence one source copied from another) is not sent again.

Measured on the research eval's notes prompts (docs/benchmarks.md, goal 5): two thirds of
a notes prompt's words were passages after a source's best one; one shared term kept 87 %
of those words (a sub-question's words, such as "journal" in a question about journals,
are in most sentences of its sources), two kept 59 %, and the notes prompts lost 27 % of
their tokens with the same key facts, citations and decoys in the reports.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from durable_research.research.language import detect_language, surely_english
from durable_research.research.passages import tokens
from durable_research.research.sentences import REFERS_BACK, sentence_spans

# The mark of left-out text, on a line of its own (as between two passages of a source).
ELISION = "..."
# Sentences kept before each matching one that refers back to them (sentences.REFERS_BACK:
# "It ...", "However, ..."). Before every matching one they were 14 % of a notes prompt's
# cut passages (the research eval), most of them context a sentence that names its subject
# does not need; a sentence of a source not surely in English keeps them all.
NEIGHBOURS = 1
# Terms a kept sentence shares with the query, and the fewest query terms that asks for two.
SHARED_TERMS = 2
TERMS_FOR_TWO = 3

_FENCE = re.compile(r"\s*(?:```|~~~)")
# Lines that start a unit of their own: a heading, a list item, a quoted line.
_STARTS_UNIT = re.compile(r"\s*(?:#|>|[-*+] |\d+[.)] )")
_MARKER = re.compile(r"\s*(?:>\s*|[-*+] |\d+[.)] )")
# Units shorter than this (words) are never dropped as repeats ("Example:", "Yes.").
REPEAT_WORDS = 4


@dataclass(frozen=True)
class Unit:
    """A span of a passage kept or left out whole: a sentence, a heading, a table, code."""

    start: int
    end: int


def _line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text``, without its line break."""
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def units(passage: str) -> list[Unit]:
    """The units of ``passage`` in order: the sentences of its prose (a sentence may run
    over lines), its headings and list items (each starting a unit), each table (its run
    of ``|`` lines) and each fenced code block (an unclosed fence runs to the end)."""
    out: list[Unit] = []
    prose: list[tuple[int, int]] = []  # the lines of the prose run being gathered

    def flush() -> None:
        if prose:
            a, b = prose[0][0], prose[-1][1]
            # A list item's marker ("3. ", "- ") stays with its first sentence ("3." alone
            # would end a sentence).
            marker = _MARKER.match(passage, a, b)
            skip = marker.end() - a if marker else 0
            spans = sentence_spans(passage[a + skip : b])
            found = [Unit(a + skip + s, a + skip + e) for s, e in spans]
            if found:
                found[0] = Unit(a, found[0].end)
            out.extend(found)
            prose.clear()

    lines = _line_spans(passage)
    i = 0
    while i < len(lines):
        a, b = lines[i]
        line = passage[a:b]
        if _FENCE.match(line) or line.lstrip().startswith("|"):
            flush()
            j = i + 1
            if _FENCE.match(line):
                while j < len(lines) and not _FENCE.match(passage[slice(*lines[j])]):
                    j += 1
                j = min(j + 1, len(lines))
            else:
                while j < len(lines) and passage[slice(*lines[j])].lstrip().startswith("|"):
                    j += 1
            out.append(Unit(a, lines[j - 1][1]))
            i = j
            continue
        if not line.strip() or _STARTS_UNIT.match(line):
            flush()
        if line.strip():
            prose.append((a, b))
            if line.lstrip().startswith("#"):
                flush()  # a heading ends where its line ends
        i += 1
    flush()
    return [u for u in out if passage[u.start : u.end].strip()]


def unit_key(text: str) -> str:
    """A unit's text compared across sources and calls: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def _repeatable(key: str) -> bool:
    """Whether a unit may be left out as a repeat: long enough to be a sentence of its own."""
    return len(key.split()) >= REPEAT_WORDS


def relevant_part(passage: str, terms: Collection[str], seen: set[str] | None = None,
                  neighbours: int = NEIGHBOURS, min_shared: int = 1,
                  english: bool = True) -> str:
    """The units of ``passage`` that share a term with ``terms`` (tokens, as
    :func:`passages.tokens` makes them), each with up to ``neighbours`` units before it
    when it refers back to them (:data:`sentences.REFERS_BACK`; any unit when the
    passage is not ``english``), in source order; an :data:`ELISION` line between runs of
    kept units that are not next to each other. ``""`` when no unit matches.

    ``seen``: the units' texts already sent in this prompt (updated): a unit sent before
    (boilerplate, a sentence another source copied) is not sent again.
    """
    found = units(passage)
    seen = set() if seen is None else seen
    keep = [False] * len(found)
    for i, unit in enumerate(found):
        text = passage[unit.start : unit.end]
        if len(set(tokens(text)) & set(terms)) >= min_shared:
            keep[i] = True
            marker = _MARKER.match(text)
            if not english or REFERS_BACK.match(text, marker.end() if marker else 0):
                for j in range(max(0, i - neighbours), i):
                    keep[j] = True
    runs: list[list[Unit]] = []
    last = -2
    for i, unit in enumerate(found):
        key = unit_key(passage[unit.start : unit.end])
        if not keep[i] or (key in seen and _repeatable(key)):
            continue
        seen.add(key)
        if i == last + 1 and runs:
            runs[-1].append(unit)
        else:
            runs.append([unit])
        last = i
    return f"\n{ELISION}\n".join(passage[run[0].start : run[-1].end] for run in runs)


def without_repeats(text: str, seen: set[str]) -> str:
    """``text`` without its units (sentences, tables, code) already in ``seen``, which
    gets the others: a sentence two sections of a report both wrote is sent once."""
    out, cursor = [], 0
    for unit in units(text):
        key = unit_key(text[unit.start : unit.end])
        if key not in seen or not _repeatable(key):
            seen.add(key)
            continue
        out.append(text[cursor : unit.start])
        cursor = unit.end
        while cursor < len(text) and text[cursor] in " \t":
            cursor += 1
    out.append(text[cursor:])
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def remember(passage: str, seen: set[str]) -> None:
    """Add the units of a passage sent whole to ``seen`` (see :func:`relevant_part`)."""
    seen.update(unit_key(passage[u.start : u.end]) for u in units(passage))


@dataclass(frozen=True)
class Sent:
    """What a prompt sends of one ranked passage: ``part`` (the passage itself when sent
    whole, ``""`` when nothing of it is relevant) and, when cut, the keys of the units it
    sends (for the report's ledger: another call may send the passage's other units)."""

    text_id: str
    passage: str
    part: str
    units: tuple[str, ...] = ()

    @property
    def whole(self) -> bool:
        return self.part == self.passage


def focused(passages: Sequence[tuple[str, str]], query: str,
            sent_before: Sequence[Collection[str]] = (),
            sent_whole: Collection[int] = ()) -> list[Sent]:
    """What a prompt sends of ``(text id, passage)`` pairs, best first: each text's first
    (best) passage whole, its others cut to their units relevant to ``query``
    (:func:`relevant_part`), in the same order. ``sent_before[i]``: the unit keys of
    passage ``i`` another call of the report already sent (left out here).
    ``sent_whole``: the first passages another call of the report was sent whole: cut too
    (whole when nothing of them is relevant), since that call read the rest of them."""
    terms = frozenset(tokens(query))
    shared = SHARED_TERMS if len(terms) >= TERMS_FOR_TWO else 1
    firsts: dict[str, int] = {}
    for i, (text_id, _passage) in enumerate(passages):
        firsts.setdefault(text_id, i)
    seen: set[str] = set()
    english: dict[str, bool] = {}
    first_part: dict[int, str] = {}
    for text_id, i in firsts.items():
        passage = passages[i][1]
        english[text_id] = surely_english(detect_language(passage))
        part = relevant_part(passage, terms, min_shared=shared, english=english[text_id]) \
            if i in sent_whole else ""
        first_part[i] = part or passage
        remember(first_part[i], seen)
    out = []
    for i, (text_id, passage) in enumerate(passages):
        if firsts[text_id] == i:
            out.append(Sent(text_id, passage, first_part[i]))
            continue
        before = seen | set(sent_before[i] if i < len(sent_before) else ())
        mine = set(before)
        part = relevant_part(passage, terms, mine, min_shared=shared,
                             english=english[text_id])
        seen |= mine - before
        out.append(Sent(text_id, passage, part, tuple(sorted(mine - before))))
    return out
