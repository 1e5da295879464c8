"""Passage retrieval: split source texts into passages, tokenise, rank passages by BM25.

Pure functions only; the citation checker and the note-taking prompt builder share them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from durable_research.research.scripts import (
    bigrams,
    has_no_space,
    join_words,
    split_runs,
    word_count,
)
from durable_research.research.sentences import ends_sentence, sentence_spans, split_sentences

# Common English function words: they carry no evidence of support and dominate counts.
# Negations ("not", "no", "never") are here too: the citation checker compares them separately.
# So are hedges ("roughly", "nearly"): reports add and drop them freely.
STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either etc few for from further had has have having he her here hers herself him himself
    his how i if in into is it its itself just may me might more most must my myself neither
    no nor not of off on once only or other our ours ourselves out over own same shall she
    should so some such than that the their theirs them themselves then there these they this
    those through to too under until up upon us very was we were what when where which while
    who whom whose why will with within without would yet you your yours yourself yourselves
    never none cannot don doesn didn isn aren wasn weren couldn shouldn wouldn hasn haven
    hadn roughly approximately around nearly almost circa""".split()
)

# Written-out numbers, so that "six legs" and "6 legs" agree (and "8" and "six" do not).
# "one" is mapped too ("one percent" = "1%"); the citation checker does not demand it.
_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = "thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS: dict[str, str] = {w: str(i) for i, w in enumerate(_CARDINALS)} | {
    w: str(10 * i) for i, w in enumerate(_TENS, start=3)
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _marks_class() -> str:
    """A regex class of the combining marks of the BMP (Python's ``\\w`` does not include them)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)


# A word: letters/digits plus combining marks (Devanagari vowel signs etc. stay inside words),
# with dot-joined parts kept together so that "3.5" is one number (split again otherwise).
MARKS = _marks_class()
_WORD = f"[^\\W_](?:[^\\W_]|[{MARKS}])*"
_WORD_RE = re.compile(f"{_WORD}(?:\\.{_WORD})*")
# Thousands separators between digit groups: "1,300" / "1 300" (no-break or thin space).
_THOUSANDS_RE = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_DECIMAL_RE = re.compile(r"\d+(?:\.\d+)?")
_SCALED_RE = re.compile(r"\b(\d+(?:\.\d+)?)\s+(thousand|million|billion|trillion)\b", re.I)
_VOWEL_RE = re.compile(r"[aeiouy]")
# Fractions are quantities too ("half" vs "a third"); "halves"/"halved" is the same half.
_FRACTIONS = [
    (re.compile(r"\b(?:a|one)[\s-]+third\b"), " 0.33 "),
    (re.compile(r"\btwo[\s-]+thirds\b"), " 0.67 "),
    (re.compile(r"\b(?:a|one)[\s-]+quarter\b"), " 0.25 "),
    (re.compile(r"\bthree[\s-]+quarters\b"), " 0.75 "),
    (re.compile(r"\bhal(?:f|ves|ve|ved|ving)\b"), " 0.5 "),
]


def normalise_number(text: str) -> str:
    """Canonical form of a decimal number token: "3.50" -> "3.5", "7.0" -> "7"."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _scale(match: re.Match[str]) -> str:
    # "1.3 million" -> "1300000", so it matches "1,300,000" (Decimal: exact, no float error).
    value = Decimal(match.group(1)) * _SCALES[match.group(2).lower()]
    return str(int(value)) if value == value.to_integral_value() else match.group(0)


# Pure and called for every word of every text compared (the cross-source check tokenises
# the same sentences many times): cached, ~60 % of the check's time before (bench/eval).
@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Strip common English inflections conservatively (plural, -ed, -ing, -ly); ASCII only."""
    if not word.isascii() or not word.isalpha() or len(word) <= 3:
        return word
    # Plurals first, then one verb/adverb suffix, so "studies" and "study" meet.
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ches", "shes", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL_RE.search(base):
            # "studied" -> "studi" -> "study", like "studies".
            word = base[:-1] + "y" if suffix == "ed" and base.endswith("i") else base
            # "stopped" -> "stopp" -> "stop"; keep "ll", "ss", "zz" ("falling" -> "fall").
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    # "make"/"making" -> "mak": dropping a final "e" makes both forms meet.
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _canonical(text: str) -> str:
    """Unicode-normalised, case-folded text with thousands separators and scales resolved."""
    # Separators go before NFKC (which turns a no-break space into a plain one) and after
    # (which turns a full-width comma into a plain one).
    text = unicodedata.normalize("NFKC", _THOUSANDS_RE.sub("", text)).casefold()
    text = _THOUSANDS_RE.sub("", text)
    for pattern, value in _FRACTIONS:
        text = pattern.sub(value, text)
    return _SCALED_RE.sub(_scale, text)


def _raw_words(text: str) -> Iterable[str]:
    """Word strings of canonical text; dot-joined chunks stay whole only when numeric."""
    mixed = has_no_space(text)  # one scan: most texts have no Chinese or Thai at all
    for chunk in _WORD_RE.findall(text):
        if mixed and has_no_space(chunk):
            # Chinese, Japanese, Thai ...: character bigrams (scripts says why).
            for part, no_space in split_runs(chunk):
                yield from bigrams(part) if no_space else _raw_words(part)
            continue
        if "." not in chunk:
            yield chunk
        elif _DECIMAL_RE.fullmatch(chunk):
            yield normalise_number(chunk)
        else:
            yield from chunk.split(".")


def tokens(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """See :func:`_tokens` (a fresh list each time: callers may change it). Sentences and
    words are tokenised again and again by the cross-source check: cached; whole texts are
    not (the cache would keep them alive)."""
    if len(text) <= _CACHED_CHARS:
        return list(_cached_tokens(text, keep))
    return list(_tokens(text, keep))


_CACHED_CHARS = 1000


@lru_cache(maxsize=50_000)
def _cached_tokens(text: str, keep: frozenset[str]) -> tuple[str, ...]:
    return _tokens(text, keep)


def _tokens(text: str, keep: frozenset[str]) -> tuple[str, ...]:
    """Lowercase, stemmed content-word tokens of ``text``, in order, stopwords dropped
    (except those in ``keep``: "on" and "off" say nothing to a search, much to a claim).

    Unicode-aware (any script's letters and digits, combining marks kept inside words;
    scripts written without spaces, such as Chinese and Thai, as character bigrams); numbers
    are normalised ("1,300" = "1300", "3.50" = "3.5", "six" = "6", "2 million" = "2000000",
    "half" = "0.5", "a third" = "0.33").
    """
    out: list[str] = []
    for word in _raw_words(_canonical(text)):
        # Stopwords, and single letters left over from "e.g." or "Gutenberg's".
        if (word in STOPWORDS and word not in keep) or (
                len(word) == 1 and not word.isdigit() and not has_no_space(word)):
            continue
        word = NUMBER_WORDS.get(word, word)
        out.append(stem(word))
    return tuple(out)


def is_number(token: str) -> bool:
    """Whether a token (from :func:`tokens`) is a number."""
    return _DECIMAL_RE.fullmatch(token) is not None


# Lines that start a block of their own: a cut before or after them is no cut in a sentence.
_BLOCK_LINE = re.compile(r"(?:[|#>]|[-*+] |\d+[.)] |```|~~~)")


def _clean_cut(prev: str, nxt: str) -> bool:
    """Whether a passage may end after line ``prev`` without cutting a sentence in two."""
    return ends_sentence(prev) or prev.endswith(":") or bool(
        _BLOCK_LINE.match(prev) or _BLOCK_LINE.match(nxt))


def _word_windows(parts: list[str], words: int, overlap: int) -> list[str]:
    out = []
    for start in range(0, len(parts), words - overlap):
        out.append(" ".join(parts[start : start + words]))
        if start + words >= len(parts):
            break
    return out


def _windows(line: str, words: int, overlap: int) -> list[str]:
    """A line longer than ``words`` cut into windows of whole sentences, each window starting
    with the last sentences of the one before (up to ``overlap`` words); a sentence longer
    than a window is cut into overlapping word windows."""
    sents = split_sentences(line)
    # Sizes in words; a Chinese or Thai sentence counts its characters (scripts.word_count).
    sizes = [word_count(s) for s in sents]
    out: list[str] = []
    i = 0
    while i < len(sents):
        if sizes[i] > words:
            parts = sents[i].split()
            out.extend(_word_windows(parts, words, overlap) if len(parts) > 1 else [sents[i]])
            i += 1
            continue
        j, count = i, 0
        while j < len(sents) and count + sizes[j] <= words:
            count += sizes[j]
            j += 1
        out.append(join_words(sents[i:j]))
        if j >= len(sents):
            break
        k, back = j, 0
        while k - 1 > i and back + sizes[k - 1] <= overlap:
            k -= 1
            back += sizes[k]
        i = k
    return out


def split_passages(text: str, words: int = 120, overlap: int = 30) -> list[str]:
    """Split ``text`` into passages of at most ``words`` words, never empty.

    Lines are packed whole into passages; a passage ends early at a paragraph break (blank
    line) once it is half full, so passages follow paragraphs where possible, and a full
    passage ends after its last line that ends a sentence (or a block line: a table row, a
    list item), so that wrapped lines of a sentence stay together. A line longer than
    ``words`` is cut into windows of whole sentences that overlap by up to ``overlap``
    words (a sentence longer than ``words``: into word windows overlapping by ``overlap``),
    so that a sentence is whole in one window. Words are counted by ``scripts.word_count``:
    a Chinese or Thai line, one "word" between spaces, counts its characters.
    """
    if words < 1 or not 0 <= overlap < words:
        raise ValueError(f"need words >= 1 and 0 <= overlap < words, got {words}, {overlap}")
    passages: list[str] = []
    current: list[str] = []
    count = 0

    def flush(keep: int = 0) -> None:
        """End the passage; its last ``keep`` lines start the next one."""
        nonlocal count
        carried = current[len(current) - keep :] if keep else []
        if current[: len(current) - keep]:
            passages.append("\n".join(current[: len(current) - keep]))
        current[:] = carried
        count = sum(word_count(line) for line in carried)

    def carry(line: str, size: int) -> int:
        """How many of the passage's last lines to move on so it ends on a sentence end."""
        if not current or _clean_cut(current[-1], line):
            return 0
        kept = 0
        for i in range(len(current) - 1, 0, -1):
            kept += word_count(current[i])
            if _clean_cut(current[i - 1], current[i]):
                moved = len(current) - i
                return moved if count - kept >= words / 2 and kept + size <= words else 0
        return 0

    new_paragraph = True
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            new_paragraph = True
            continue
        size = word_count(line)
        if size > words:
            flush()
            passages.extend(_windows(" ".join(parts), words, overlap))
        else:
            if new_paragraph and count >= words / 2:
                flush()
            elif count + size > words:
                flush(carry(" ".join(parts), size))
            current.append(" ".join(parts))
            count += size
        new_paragraph = False
    flush()
    return passages


def idf(docs: Sequence[Sequence[str]]) -> dict[str, float]:
    """BM25 inverse document frequency of every token of ``docs`` (always positive)."""
    n = len(docs)
    df = Counter(t for doc in docs for t in set(doc))
    return {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def bm25_scores(
    query: Sequence[str], docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75
) -> list[float]:
    """Okapi BM25 score of each tokenised doc for the tokenised query (unique query terms)."""
    if not docs:
        return []
    weights = idf(docs)
    avg = sum(len(d) for d in docs) / len(docs) or 1.0
    terms = [t for t in dict.fromkeys(query) if t in weights]
    scores: list[float] = []
    for doc in docs:
        tf = Counter(doc)
        norm = k1 * (1.0 - b + b * len(doc) / avg)
        scores.append(sum(weights[t] * tf[t] * (k1 + 1.0) / (tf[t] + norm) for t in terms if tf[t]))
    return scores


def _cut(passage: str, budget: int) -> str:
    """The longest head of ``passage`` within ``budget`` characters ending a sentence or a
    line; else the longest ending a word ("" if none)."""
    ends = [b for _a, b in sentence_spans(passage) if b <= budget]
    ends += [i for i, ch in enumerate(passage[: budget + 1]) if ch == "\n"]
    if ends:
        return passage[: max(ends)].rstrip()
    head = passage[:budget]
    return head.rsplit(None, 1)[0] if " " in head else ""


def top_passages(
    texts: dict[str, str], query: str, k: int = 8, max_chars: int = 6000
) -> list[tuple[str, str, float]]:
    """The passages of ``texts`` that best match ``query``: ``(text id, passage, score)``.

    BM25 over all passages of all texts together, best first (ties in text order); at most
    ``k`` passages and ``max_chars`` characters of passage text in total. Passages sharing no
    term with the query and repeated passages (boilerplate) are left out. A passage that does
    not fit the remaining budget is skipped for smaller ones, except that the best passage is
    cut (at a sentence end or line end if one fits, else at a word boundary) rather than
    returning nothing.
    """
    if k <= 0 or max_chars <= 0:
        return []
    entries = [(tid, p) for tid, text in texts.items() for p in split_passages(text)]
    scores = bm25_scores(tokens(query), [tokens(p) for _, p in entries])
    order = sorted(range(len(entries)), key=lambda i: -scores[i])
    return _packed(entries, [(i, scores[i]) for i in order if scores[i] > 0.0], k, max_chars)


def fused_passages(
    texts: dict[str, str], queries: Sequence[str], k: int = 8, max_chars: int = 6000
) -> list[tuple[str, str, float]]:
    """Like :func:`top_passages` for several queries: each ranks the passages by BM25 and
    the rankings are fused by reciprocal rank, the first query weighing most (the others
    are context, e.g. the report's question around a sub-question). The score is the
    fused one."""
    from durable_research.research.fusion import CONTEXT_WEIGHT, rrf

    if k <= 0 or max_chars <= 0:
        return []
    entries = [(tid, p) for tid, text in texts.items() for p in split_passages(text)]
    passage_tokens = [tokens(p) for _, p in entries]
    rankings = []
    for n, query in enumerate(q for q in queries if q.strip()):
        scores = bm25_scores(tokens(query), passage_tokens)
        ranked = sorted((i for i in range(len(entries)) if scores[i] > 0.0),
                        key=lambda i: -scores[i])
        rankings.append((1.0 if n == 0 else CONTEXT_WEIGHT, ranked))
    return _packed(entries, rrf(rankings), k, max_chars)


def _packed(entries: Sequence[tuple[str, str]], ranked: Iterable[tuple[int, float]], k: int,
            max_chars: int) -> list[tuple[str, str, float]]:
    """The ranked ``(entry number, score)`` passages within ``k`` and ``max_chars``."""
    out: list[tuple[str, str, float]] = []
    seen: set[str] = set()
    budget = max_chars
    for i, score in ranked:
        tid, passage = entries[i]
        if len(out) >= k or budget <= 0:
            break
        if passage in seen:
            continue
        if len(passage) > budget:
            if out:
                continue
            passage = _cut(passage, budget)
            if not passage:
                continue
        seen.add(passage)
        out.append((tid, passage, score))
        budget -= len(passage)
    return out
