"""Research notes: what a note is, how it is stored, how notes are written out as Markdown.

A note quotes its source as what the quoted text is there: whole sentences, a table (its
header row and the quoted rows), a code block, or list items. Notes live in the artifact
store as a JSON list of :meth:`Note.to_json` objects, never in workflow history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from durable_research.research.sentences import ends_sentence, sentence_spans


class NoteKind(StrEnum):
    """What a note quotes; stored in the notes JSON as ``kind``."""

    SENTENCE = "sentence"
    TABLE = "table"
    CODE = "code"
    LIST = "list"


@dataclass(frozen=True)
class Note:
    """One note as stored: a quote of a source and the fact it supports.

    ``quote`` is Markdown for the block kinds: a table with its header and separator rows,
    a fenced code block, ``-``/``1.`` list items. ``intro`` is the source's sentence that
    introduces a code block, when it has one ("" otherwise).
    """

    source_hash: str
    quote: str
    point: str
    title: str = ""
    url: str = ""
    kind: NoteKind = NoteKind.SENTENCE
    intro: str = ""

    def to_json(self) -> dict[str, str]:
        """The JSON object stored for this note."""
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        """A stored note; notes stored before kinds existed are sentences.

        Raises:
            ValueError: An unknown ``kind``.
        """
        return cls(source_hash=data["source_hash"], quote=data["quote"], point=data["point"],
                   title=data.get("title", ""), url=data.get("url", ""),
                   kind=NoteKind(data.get("kind", NoteKind.SENTENCE)),
                   intro=data.get("intro", ""))


@dataclass(frozen=True)
class CitedNote:
    """A note as a section sees it: ``n`` is its source's number in the references."""

    n: int
    point: str
    quote: str
    kind: NoteKind = NoteKind.SENTENCE
    intro: str = ""


# "[12]" in a quote would read as a citation marker: escaped, the checker skips it.
_MARKER_LIKE = re.compile(r"(?<!\\)\[(?=[\d\s,;–—-]+\])")


def _escape(text: str) -> str:
    return _MARKER_LIKE.sub(r"\\[", text)


def cite_sentences(text: str, n: int, close: bool = True) -> str:
    """``text`` with `` [n]`` before each sentence's final terminator.

    A sentence ending in a closing quote or bracket gets the marker after it; one without a
    terminator gets it at its end, and a full stop when ``close`` (so that it does not run
    into the next sentence).
    """
    parts = []
    for a, b in sentence_spans(text):
        sentence = " ".join(_escape(text[a:b]).split())
        if not ends_sentence(sentence) or sentence.endswith(" …"):  # " …": a quote cut short
            parts.append(f"{sentence} [{n}]" + ("." if close else ""))
        elif sentence.rstrip("\"'”’»)]*_") != sentence:
            parts.append(f"{sentence} [{n}]")  # keep 'he said "Stop."' whole
        else:
            body = sentence.rstrip(".!?…。！？")
            parts.append(f"{body.rstrip()} [{n}]{sentence[len(body):]}")
    return " ".join(parts)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (escaped pipes stay inside their cell)."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table_rows(notes: Sequence[CitedNote]) -> list[str]:
    """One table of table notes that share a header: each data row cited in its last cell."""
    header, separator = notes[0].quote.split("\n")[:2]
    out = [_row([_escape(c) for c in _cells(header)]), separator]
    seen: set[tuple[str, int]] = set()
    for note in notes:
        for line in note.quote.split("\n")[2:] or [header]:  # a table of only a header
            cells = [_escape(c) for c in _cells(line)]
            filled = [i for i, c in enumerate(cells) if c]
            if not filled or (line, note.n) in seen:
                continue
            seen.add((line, note.n))
            cells[filled[-1]] += f" [{note.n}]"
            if line == header:
                out[0] = _row(cells)
            else:
                out.append(_row(cells))
    return out


def _list_items(note: CitedNote) -> Iterator[str]:
    for line in note.quote.split("\n"):
        marker, _, text = line.partition(" ")
        yield f"{marker} {cite_sentences(text, note.n, close=False)}"


def _runs(notes: Sequence[CitedNote]) -> Iterator[list[CitedNote]]:
    """Consecutive notes written as one block: sentences, list items, tables with one header."""
    run: list[CitedNote] = []
    for note in notes:
        same = run and run[0].kind is note.kind and note.kind is not NoteKind.CODE and (
            note.kind is not NoteKind.TABLE
            or run[0].quote.split("\n")[0] == note.quote.split("\n")[0])
        if run and not same:
            yield run
            run = []
        run.append(note)
    if run:
        yield run


def render_notes(notes: Sequence[CitedNote]) -> str:
    """The notes' quotes as Markdown, every quoted fact cited.

    Sentences make paragraphs; a table is a Markdown table with the citation in the last
    filled cell of each row (the citation checker checks cells); list items are a list, each
    item cited; code is a fenced block after the source's own cited sentence introducing it
    when there is one (code is not checked, its introduction is). Table rows never end up
    inside a paragraph.
    """
    blocks: list[str] = []
    for run in _runs(notes):
        kind = run[0].kind
        if kind is NoteKind.SENTENCE:
            blocks.append(" ".join(cite_sentences(n.quote, n.n) for n in run))
        elif kind is NoteKind.TABLE:
            blocks.append("\n".join(_table_rows(run)))
        elif kind is NoteKind.LIST:
            blocks.append("\n".join(item for n in run for item in _list_items(n)))
        else:
            note = run[0]
            if note.intro:
                blocks.append(_introduce(note.intro, note.n))
            blocks.append(note.quote)
    return "\n\n".join(blocks)


def _introduce(intro: str, n: int) -> str:
    """The cited sentence before a code block: "Run this [2]:" keeps its colon last."""
    text = " ".join(_escape(intro).split())
    if text.endswith(":"):
        return f"{text[:-1].rstrip()} [{n}]:"
    return cite_sentences(text, n)
