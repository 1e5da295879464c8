"""Notes and sections without an LLM: quotes of the best-matching passages, cited.

The fallback when a model does not follow the notes format (small offline models
rarely write valid JSON) or when the budget leaves nothing for writing: the reader
still gets the sources' own words with working, checkable citations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from durable_research.research.notes import CitedNote, NoteKind, render_notes
from durable_research.research.passages import top_passages
from durable_research.research.quotes import QuoteFinder
from durable_research.research.scripts import word_count
from durable_research.research.sentences import ends_sentence, split_sentences
from durable_research.research.widen import Quote

MIN_WORDS = 6
MAX_QUOTE_CHARS = 400


def sentences(passage: str, min_words: int = MIN_WORDS, line_ends: bool = False) -> list[str]:
    """Whole sentences of a passage (line by line, so headings do not run into text).

    ``line_ends``: also the last words of each line that end in no full stop (a one-line
    note, a list item, a line the passage cut): for a caller that widens them on the source,
    which makes them whole. Without it a folder of one-line notes quoted nothing.
    """
    out = []
    for line in passage.splitlines():
        if line.lstrip().startswith("#"):
            continue  # a heading (a Thai one ends like a sentence: no full stop in Thai)
        parts = split_sentences(line)
        for i, part in enumerate(parts):
            whole = ends_sentence(part) or (line_ends and i == len(parts) - 1)
            if word_count(part) >= min_words and len(part) <= MAX_QUOTE_CHARS and whole:
                out.append(part)
    return out


def extractive_notes(
    texts: dict[str, str], query: str, per_source: int = 2, limit: int = 12
) -> list[tuple[str, Quote]]:
    """``(text id, quote)`` pairs from the passages that best match ``query``.

    Each quote is widened on its source (a sentence to the whole sentence where a passage
    cut it, a list item's sentence to the item), so no quote starts or ends mid-sentence.
    """
    picked: list[tuple[str, Quote]] = []
    counts: dict[str, int] = {}
    seen: set[str] = set()
    finders: dict[str, QuoteFinder] = {}
    for text_id, passage, _score in top_passages(texts, query, k=4 * max(len(texts), 1)):
        for sentence in sentences(passage, line_ends=True):
            if counts.get(text_id, 0) >= per_source:
                break
            finder = finders.setdefault(text_id, QuoteFinder(texts[text_id]))
            quote = finder.widen(sentence)
            if quote is None or quote.text in seen or (
                    quote.kind is NoteKind.SENTENCE and len(quote.text) > MAX_QUOTE_CHARS):
                continue
            seen.add(quote.text)
            counts[text_id] = counts.get(text_id, 0) + 1
            picked.append((text_id, quote))
            if len(picked) >= limit:
                return picked
    return picked


def extractive_section(notes: Sequence[CitedNote]) -> str:
    """The notes' quotes, each cited (see :func:`notes.render_notes`)."""
    return render_notes(notes)


def has_citations(text: str) -> bool:
    """Whether a written section cites anything like ``[3]``."""
    return re.search(r"\[\d{1,3}(?:\s*[,;-]\s*\d{1,3})*\]", text) is not None
