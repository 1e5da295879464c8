"""Citation checks: find the cited sentences of a Markdown report and score them against sources.

Pure functions only. The score is a cheap, deterministic first pass: clear passes and clear
failures are decided here, the uncertain middle goes to the LLM judge.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from markdown_it import MarkdownIt

from durable_research.research.passages import idf, is_number, split_passages, tokens

# A range such as [3-9] expands to at most this many sources.
MAX_RANGE = 20
# Calibrated once on tests/data/citation_pairs.json (calibration split), with a margin.
SUPPORTED_AT = 0.75
UNSUPPORTED_BELOW = 0.4
# Scoring knobs, fixed before the held-out split was scored.
PASSAGE_WORDS, PASSAGE_OVERLAP = 60, 30
NUMBER_PENALTY = 0.3  # per claim number absent from the passage ("8 legs" vs "six legs")
# Per capitalised claim word (a name) absent from the passage: mild if the source uses it
# elsewhere (the passage may say "she" or "the reef"), strong if the source never does.
NAME_ELSEWHERE_PENALTY, NAME_PENALTY = 0.8, 0.5
NGRAM_BONUS = 0.5  # share of the remaining gap closed when all claim 3-grams are in the passage


@dataclass
class CitedSentence:
    """A sentence of the report carrying citation markers, located in the Markdown."""

    sentence: str
    raw: str
    cites: list[int]
    start: int
    end: int


class Verdict(StrEnum):
    """What the deterministic check concludes about one cited sentence."""

    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"
    UNCERTAIN = "uncertain"


_MD = MarkdownIt("commonmark").enable("table")
_NUM = r"\d{1,3}(?:\s*[-–—]\s*\d{1,3})?"
_MARKER_RE = re.compile(rf"(?<!\\)\[\s*({_NUM}(?:\s*[,;]\s*{_NUM})*)\s*\](?!\()")
# Spans where "[1]" or "." mean nothing: inline code, link destinations, autolinks, URLs, tags.
_OPAQUE_RE = re.compile(
    r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)|(?<=\])\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"
    r"|<[a-zA-Z][\w+.-]*:[^<>\s]*>|https?://[^\s<>()\[\]]+|</?[a-zA-Z][^<>]*>",
    re.S,
)
_END_RE = re.compile(r"[.!?]+[\"'”’»)\]*_]*|[。！？]")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt vs al fig figs eq approx ca cf inc ltd co corp dept est vol "
    "pp ed eds jan feb mar apr jun jul aug sep sept oct nov dec gen col lt rev gov sen".split()
)
_REFERENCES_RE = re.compile(
    r"^[#\s*_]*(?:\d+[.)]?\s*)?(?:references|sources|bibliography|works cited|reference list)"
    r"[\s*_:]*$",
    re.I,
)
_NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|without|unable|rather than"
    r"|instead of|fail(?:s|ed)? to)\b|n[’']t\b",
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
    if end < len(seg) and not seg[end].isspace() and seg[end - 1] not in "。！？":
        return False  # "3.5", "e.g.," or "example.com"
    if rest[0].islower():
        return False  # "e.g. the", "et al. found"
    word = seg[start:end].rstrip(".!?\"'”’»)]*_").lstrip("(\"'“‘[*_").lower()
    if not seg[start:end].rstrip("\"'”’»)]*_").endswith("."):
        return True
    # "Dr. Smith", "J. R. R. Tolkien", "U.S. Navy"
    return not (
        word in _ABBREVIATIONS
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


def _negation_scopes(text: str, n: int) -> list[list[str]]:
    """For each negation in ``text``: the first ``n`` content tokens after it, in its clause."""
    clauses = (
        re.split(r"[,.;:!?()]", text[m.end() :], maxsplit=1)[0] for m in _NEGATION_RE.finditer(text)
    )
    return [scope for clause in clauses if (scope := tokens(clause)[:n])]


def _negation_differs(claim_scopes: list[list[str]], passage: str, content: set[str]) -> bool:
    """Whether claim and passage disagree on what is negated ("cannot recover" / "can recover").

    Each negation of the claim must find its first negated word negated in the passage too;
    and a word the passage negates, in a sentence sharing a third of the claim's words, must
    not appear un-negated in the claim.
    """
    negated_here = {t for scope in _negation_scopes(passage, 3) for t in scope}
    if any(scope[0] not in negated_here for scope in claim_scopes):
        return True
    negated_there = {t for scope in claim_scopes for t in scope}
    return any(
        scope[0] in content and scope[0] not in negated_there
        for sentence in re.split(r"(?<=[.!?;])\s+", passage)
        if 3 * len(content.intersection(tokens(sentence))) >= len(content)
        for scope in _negation_scopes(sentence, 1)
    )


def _names(text: str) -> set[str]:
    """Tokens of the capitalised words: names must match as names, not "Windows" vs "window"."""
    return {t for word in text.split() if word.lstrip("\"'“‘(")[:1].isupper() for t in tokens(word)}


def _trigrams(toks: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(toks, toks[1:], toks[2:], strict=False))


def support_score(claim: str, source_text: str) -> tuple[float, str]:
    """How well ``source_text`` supports ``claim``: a score in [0, 1] and the best passage.

    Per passage of the source: the share of the claim's content tokens found in it, weighted
    by IDF over the source's passages (words the source never uses weigh as much as its rarest);
    plus a bonus for the claim's 3-grams found in it. Each claim number missing from the passage
    multiplies the score by NUMBER_PENALTY; each capitalised claim word (a name) missing from
    it by NAME_PENALTY if the source never has it, else by NAME_ELSEWHERE_PENALTY. When claim
    and passage disagree on what is negated, the score is capped just below SUPPORTED_AT: a
    bag of words cannot tell, the judge must. A claim without content words scores halfway
    between the thresholds (uncertain); an empty source scores 0.
    """
    claim_tokens = tokens(claim)
    content = set(claim_tokens)
    if not content:
        return (SUPPORTED_AT + UNSUPPORTED_BELOW) / 2, ""
    passages = split_passages(source_text, PASSAGE_WORDS, PASSAGE_OVERLAP)
    ptoks = [tokens(p) for p in passages]
    weights = idf(ptoks)
    rare = math.log(1.0 + (len(ptoks) - 0.5) / 1.5)  # the IDF of a token seen once
    w = {t: weights.get(t, rare) for t in content}
    # "one" reads as 1 but rarely states a count ("one of the largest"): not demanded.
    numbers = {t for t in tokens(re.sub(r"\bone\b", " ", claim, flags=re.I)) if is_number(t)}
    names = _names(claim.split(None, 1)[-1]) - numbers  # the first word is capitalised anyway
    absent = names - _names(source_text)
    grams = _trigrams(claim_tokens)
    scored: list[tuple[float, str]] = []
    for passage, toks in zip(passages, ptoks, strict=True):
        have = set(toks)
        score = sum(w[t] for t in content & have) / sum(w.values())
        if grams:
            score += (1.0 - score) * NGRAM_BONUS * len(grams & _trigrams(toks)) / len(grams)
        score *= NUMBER_PENALTY ** len(numbers - have) * NAME_PENALTY ** len(absent)
        score *= NAME_ELSEWHERE_PENALTY ** len(names - absent - _names(passage))
        scored.append((score, passage))
    best = (0.0, "")
    claim_scopes = _negation_scopes(claim, 3)
    # The negation cap only lowers scores: check the best first, stop when none can win.
    for score, passage in sorted(scored, key=lambda sp: -sp[0]):
        if score <= best[0]:
            break
        if _negation_differs(claim_scopes, passage, content):
            score = min(score, SUPPORTED_AT - 0.01)
        if score > best[0]:
            best = (score, passage)
    return round(min(1.0, best[0]), 4), best[1]


def verdict(score: float) -> Verdict:
    """SUPPORTED at or above SUPPORTED_AT, UNSUPPORTED below UNSUPPORTED_BELOW, else UNCERTAIN."""
    if score >= SUPPORTED_AT:
        return Verdict.SUPPORTED
    if score < UNSUPPORTED_BELOW:
        return Verdict.UNSUPPORTED
    return Verdict.UNCERTAIN


def mark_unverified(
    markdown: str, sentences: list[CitedSentence], marker: str = " [unverified]"
) -> str:
    """``markdown`` with ``marker`` inserted right after each sentence's last citation marker.

    All other text is unchanged. Sentences must come from :func:`cited_sentences` on this
    same text (``raw`` must equal ``markdown[start:end]``, else ValueError).
    """
    known = {(s.start, s.end): pos for s, pos in _scan(markdown)}
    points: set[int] = set()
    for s in sentences:
        if markdown[s.start : s.end] != s.raw:
            raise ValueError(f"sentence not found at {s.start}:{s.end}: {s.raw[:60]!r}")
        pos = known.get((s.start, s.end))
        if pos is None:  # not a sentence this scan finds: after its last marker-like text
            found = list(_MARKER_RE.finditer(s.raw))
            pos = s.start + found[-1].end() if found else s.end
        points.add(pos)
    cuts = [0, *sorted(points), len(markdown)]
    return marker.join(markdown[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
