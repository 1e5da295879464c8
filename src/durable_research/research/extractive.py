"""Notes and sections without an LLM: quotes of the best-matching passages, cited.

The fallback when a model does not follow the notes format (small offline models
rarely write valid JSON) or when the budget leaves nothing for writing: the reader
still gets the sources' own words with working, checkable citations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from durable_research.research.passages import top_passages

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
MIN_WORDS = 6
MAX_QUOTE_CHARS = 400


def sentences(passage: str, min_words: int = MIN_WORDS) -> list[str]:
    """Whole sentences of a passage (line by line, so headings do not run into text)."""
    out = []
    for line in passage.splitlines():
        for part in _SENTENCE.split(" ".join(line.split())):
            part = part.strip()
            if len(part.split()) >= min_words and len(part) <= MAX_QUOTE_CHARS \
                    and part.endswith((".", "!", "?")):
                out.append(part)
    return out


def extractive_notes(
    texts: dict[str, str], query: str, per_source: int = 2, limit: int = 12
) -> list[tuple[str, str]]:
    """``(text id, quoted sentence)`` pairs from the passages that best match ``query``."""
    picked: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for text_id, passage, _score in top_passages(texts, query, k=4 * max(len(texts), 1)):
        for sentence in sentences(passage):
            if counts.get(text_id, 0) >= per_source or sentence in seen:
                continue
            seen.add(sentence)
            counts[text_id] = counts.get(text_id, 0) + 1
            picked.append((text_id, sentence))
            if len(picked) >= limit:
                return picked
    return picked


def extractive_section(notes: Sequence[tuple[int, str, str]]) -> str:
    """A paragraph of the notes' quotes, each cited: ``(number, point, quote)`` triples."""
    parts = []
    for number, _point, quote in notes:
        text = quote.strip().rstrip(".!?")
        parts.append(f"{text} [{number}].")
    return " ".join(parts)


def has_citations(text: str) -> bool:
    """Whether a written section cites anything like ``[3]``."""
    return re.search(r"\[\d{1,3}(?:\s*[,;-]\s*\d{1,3})*\]", text) is not None
