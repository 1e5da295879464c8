"""Cited sentences of a Markdown report: find them, split plain text into sentences, mark them.

Pure functions only. Whether a source supports a sentence is :mod:`support`'s question;
this module knows where sentences and their citation markers are.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt

from durable_research.research.sentences import ABBREVIATIONS, split_sentences

# A range such as [3-9] expands to at most this many sources.
MAX_RANGE = 20


@dataclass
class CitedSentence:
    """A sentence of the report carrying citation markers, located in the Markdown."""

    sentence: str
    raw: str
    cites: list[int]
    start: int
    end: int


_MD = MarkdownIt("commonmark").enable("table")
_NUM = r"\d{1,3}(?:\s*[-–—]\s*\d{1,3})?"
_MARKER_RE = re.compile(rf"(?<!\\)\[\s*({_NUM}(?:\s*[,;]\s*{_NUM})*)\s*\](?!\()")
# Spans where "[1]" or "." mean nothing: inline code, link destinations, autolinks, URLs, tags.
_OPAQUE_RE = re.compile(
    r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)|(?<=\])\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"
    r"|<[a-zA-Z][\w+.-]*:[^<>\s]*>|https?://[^\s<>()\[\]]+|</?[a-zA-Z][^<>]*>",
    re.S,
)
# As sentences._END_RE (Arabic, Urdu, Devanagari, Burmese, Khmer and ideographic
# terminators too).
_END_RE = re.compile(r"[.!?؟۔।॥။។៕]+[\"'”’»)\]*_]*|[。！？．｡]")
_REFERENCES_RE = re.compile(
    r"^[#\s*_]*(?:\d+[.)]?\s*)?(?:references|sources|bibliography|works cited|reference list)"
    r"[\s*_:]*$",
    re.I,
)


def _expand(body: str) -> list[int]:
    """Source numbers of a marker body such as "1, 3-5" (ranges capped, 0 dropped)."""
    out: list[int] = []
    for item in re.split(r"\s*[,;]\s*", body.strip()):
        ends = [int(x) for x in re.split(r"\s*[-–—]\s*", item)]
        lo, hi = min(ends), max(ends)
        out.extend(n for n in range(lo, min(hi, lo + MAX_RANGE - 1) + 1) if n > 0)
    return list(dict.fromkeys(out))


def _segments(markdown: str) -> Iterator[tuple[str, list[int]]]:
    """Prose runs (paragraphs, table cells) as (text, markdown offset of each character).

    Headings, code, HTML blocks and everything after a References/Sources heading are skipped.
    """
    lines = markdown.split("\n")
    starts = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
    toks = _MD.parse(markdown)
    for i, tok in enumerate(toks):
        if tok.type != "inline" or tok.map is None:
            continue
        parent = toks[i - 1].type
        if _REFERENCES_RE.match(tok.content) and parent in ("heading_open", "paragraph_open"):
            return
        if parent == "heading_open":
            continue
        text: list[str] = []
        offsets: list[int] = []
        cursor = 0  # table cells share their row's line: search from the previous cell on
        for n, piece in enumerate(tok.content.split("\n")):
            row = min(tok.map[0] + n, len(lines) - 1)
            src = lines[row]
            # A paragraph line is a suffix of its source line (after list/quote markers).
            at = len(src.rstrip()) - len(piece.rstrip())
            if parent != "paragraph_open" or at < 0 or not src.startswith(piece, at):
                at = src.find(piece, cursor)
            if at < 0:
                continue  # markdown-it rewrote the line (tabs, NUL): leave it unchecked
            cursor = at + len(piece)
            if text:
                text.append("\n")
                offsets.append(offsets[-1] + 1)
            text.append(piece)
            offsets.extend(range(starts[row] + at, starts[row] + at + len(piece)))
        if text:
            yield "".join(text), offsets


def _boundary(seg: str, end: int, start: int) -> bool:
    """Whether a terminator ending at ``end`` (word from ``start``) ends a sentence."""
    rest = seg[end:].lstrip()
    if not rest:
        return True
    if end < len(seg) and not seg[end].isspace() and seg[end - 1] not in "。！？．｡":
        return False  # "3.5", "e.g.," or "example.com"
    if rest[0].islower():
        return False  # "e.g. the", "et al. found"
    word = seg[start:end].rstrip(".!?\"'”’»)]*_").lstrip("(\"'“‘[*_").lower()
    if not seg[start:end].rstrip("\"'”’»)]*_").endswith("."):
        return True
    # "Dr. Smith", "J. R. R. Tolkien", "U.S. Navy"
    return not (
        word in ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or re.fullmatch(r"(?:\w\.)+\w", word)
    )


def _scan(markdown: str) -> Iterator[tuple[CitedSentence, int]]:
    """Cited sentences with the markdown offset just after each one's last citation marker."""
    for seg, offsets in _segments(markdown):
        opaque = [False] * len(seg)
        for m in _OPAQUE_RE.finditer(seg):
            opaque[m.start() : m.end()] = [True] * (m.end() - m.start())
        markers: list[tuple[int, int, list[int]]] = []
        for m in _MARKER_RE.finditer(seg):
            chained = bool(markers) and markers[-1][1] == m.start()
            if opaque[m.start()] or (m.start() > 0 and seg[m.start() - 1] == "]" and not chained):
                continue  # in code/URL, or the label of a reference link "[text][1]"
            if nums := _expand(m.group(1)):
                markers.append((m.start(), m.end(), nums))
        if not markers:
            continue
        cuts = [0]
        for m in _END_RE.finditer(seg):
            if opaque[m.start()]:
                continue
            end = m.end()
            for a, b, _ in markers:  # "claim.[1] Next" / "claim. [1][2] Next": markers belong left
                if a >= end and not seg[end:a].strip():
                    end = b
            word_start = max(seg.rfind(" ", 0, m.start()), seg.rfind("\n", 0, m.start())) + 1
            if end > cuts[-1] and _boundary(seg, end, word_start):
                cuts.append(end)
        cuts.append(len(seg))
        for a, b in zip(cuts, cuts[1:], strict=False):
            inside = [mk for mk in markers if a <= mk[0] < b]
            a, b = a + len(seg[a:b]) - len(seg[a:b].lstrip()), a + len(seg[a:b].rstrip())
            if inside and a < b:
                cites = list(dict.fromkeys(n for mk in inside for n in mk[2]))
                text = _clean(seg[a:b], [(x - a, y - a) for x, y, _ in inside])
                raw_start, raw_end = offsets[a], offsets[b - 1] + 1
                after_marker = offsets[inside[-1][1] - 1] + 1
                raw = markdown[raw_start:raw_end]
                yield CitedSentence(text, raw, cites, raw_start, raw_end), after_marker


def _clean(text: str, markers: list[tuple[int, int]]) -> str:
    """Sentence text without citation markers and Markdown syntax, whitespace normalised."""
    for a, b in reversed(markers):
        text = text[:a] + " " + text[b:]
    text = re.sub(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"</?[a-zA-Z][^<>]*>|`+|\*+|(?<!\w)_+|_+(?!\w)|\\(?=[^\w\s])", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:!?)。！？、，])", r"\1", text)


def cited_sentences(markdown: str) -> list[CitedSentence]:
    """The sentences of ``markdown`` that carry citation markers, in document order.

    Markers: ``[n]``, ``[n, m]``, ``[n][m]``, ``[n-m]`` (ranges expanded, at most MAX_RANGE
    numbers; numbers 1-999). Not markers: inline links ``[n](url)``, reference-link labels,
    escaped brackets, anything in code. Headings, code blocks, HTML blocks and everything after
    a References/Sources/Bibliography heading (or a paragraph that is only that word) are
    skipped; list items, block quotes and table cells are checked. Markers right after a
    sentence's full stop belong to that sentence.
    """
    return [s for s, _ in _scan(markdown)]


def mark_sentences(markdown: str, marks: list[tuple[CitedSentence, str]]) -> str:
    """``markdown`` with each marker inserted right after its sentence's last citation marker.

    All other text is unchanged; two markers for one sentence appear in the given order.
    Sentences must come from :func:`cited_sentences` on this same text (``raw`` must equal
    ``markdown[start:end]``, else ValueError).
    """
    known = {(s.start, s.end): pos for s, pos in _scan(markdown)}
    points: dict[int, str] = {}
    for s, marker in marks:
        if markdown[s.start : s.end] != s.raw:
            raise ValueError(f"sentence not found at {s.start}:{s.end}: {s.raw[:60]!r}")
        pos = known.get((s.start, s.end))
        if pos is None:  # not a sentence this scan finds: after its last marker-like text
            found = list(_MARKER_RE.finditer(s.raw))
            pos = s.start + found[-1].end() if found else s.end
        if marker not in points.get(pos, ""):
            points[pos] = points.get(pos, "") + marker
    out: list[str] = []
    last = 0
    for pos in sorted(points):
        out += [markdown[last:pos], points[pos]]
        last = pos
    out.append(markdown[last:])
    return "".join(out)


# Lines that are units of their own: list items, table rows, Markdown headings.
_LIST_OR_TABLE = re.compile(r"^\s*(?:[-*+•]\s|\d{1,3}[.)]\s|\||#{1,6}\s)")
# A list item's marker: no part of its sentence. Kept, a reader was shown "- The count(X)
# function ..." as what a source says, and "9." counted as one of the sentence's numbers.
_LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")


def text_sentences(text: str) -> list[str]:
    """The sentences of a plain source text, whitespace-normalised, in order.

    Paragraphs are lines joined until a blank line; list items (without their marker),
    table rows and headings stay units of their own (a row or a heading is no sentence to
    run on into the next one).
    Sentence ends are :mod:`sentences`' ("Dr. Smith", "3.5", "e.g. the" end no sentence).
    """
    units: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _LIST_OR_TABLE.match(line):
            if current:
                units.append(" ".join(current))
                current = []
            if line.strip():
                units.append(_LIST_MARKER.sub("", line.strip()))
            continue
        current.append(line.strip())
    if current:
        units.append(" ".join(current))
    return [sentence for unit in units for sentence in split_sentences(unit)]
