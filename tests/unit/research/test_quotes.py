"""Quotes widened on their source: whole sentences, tables, code blocks, list items."""

from __future__ import annotations

import pytest

from durable_research.activities.writing import valid_notes
from durable_research.research.notes import Note, NoteKind
from durable_research.research.quotes import QuoteFinder
from durable_research.research.support import SUPPORTED_AT, support_score
from durable_research.research.types import Source
from durable_research.research.widen import MAX_SENTENCE_CHARS, MAX_SENTENCE_WORDS, Quote

PROSE = (
    "# Deploying\n\n"
    "The web service and the worker talk to each other throughout the deployment process.\n"
    "Both need Python 3.12 or later, e.g. from python.org, and version 3.40.1 of\n"
    "SQLite (see Fig. 2). Dr. Smith measured 2.5 seconds per step in deploy.yaml runs.\n\n"
    "Nothing else is needed."
)


def widen(text: str, quote: str) -> Quote | None:
    return QuoteFinder(text).widen(quote)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # The start of a sentence cut (the reported "each other throughout ... [1].").
        ("each other throughout the deployment process",
         "The web service and the worker talk to each other throughout the deployment process."),
        # The end cut, and case and line breaks differing.
        ("the WEB service and the\nworker talk",
         "The web service and the worker talk to each other throughout the deployment process."),
        # "e.g.", a version, "Fig.": inside the sentence, which also spans a line break.
        ("or later, e.g. from python.org",
         "Both need Python 3.12 or later, e.g. from python.org, and version 3.40.1 of SQLite "
         "(see Fig. 2)."),
        ("2.5 seconds", "Dr. Smith measured 2.5 seconds per step in deploy.yaml runs."),
        # Two sentences: both, whole.
        ("(see Fig. 2). Dr. Smith measured",
         "Both need Python 3.12 or later, e.g. from python.org, and version 3.40.1 of SQLite "
         "(see Fig. 2). Dr. Smith measured 2.5 seconds per step in deploy.yaml runs."),
        # Quotation marks and an ellipsis a model put around its quote.
        ('"...Nothing else is"', "Nothing else is needed."),
    ],
)
def test_prose_quotes_widen_to_whole_sentences(quote: str, expected: str) -> None:
    assert widen(PROSE, quote) == Quote(expected, NoteKind.SENTENCE)


def test_quotes_not_in_the_source_are_none() -> None:
    assert widen(PROSE, "the worker talks to nobody") is None
    assert widen(PROSE, "") is None


def test_a_heading_is_no_part_of_a_quoted_sentence() -> None:
    quote = widen(PROSE, "Deploying The web service")
    assert quote is not None and quote.text.startswith("The web service")


def test_a_very_long_sentence_is_cut_around_the_quote_and_marked() -> None:
    words = [f"word{i}" for i in range(200)]
    text = "Short one. " + " ".join(words) + ". Another one."
    quote = widen(text, "word100 word101 word102")
    assert quote is not None and quote.kind is NoteKind.SENTENCE
    assert quote.text.startswith("… ") and quote.text.endswith(" …")
    assert "word100 word101 word102" in quote.text
    assert len(quote.text) <= MAX_SENTENCE_CHARS + 4
    # Cut at spaces: every word in it is a whole word of the text.
    assert all(w in words for w in quote.text.strip("… ").split())


def test_quotes_up_to_the_cap_still_check_as_supported() -> None:
    """A verbatim sentence as long as the cap allows is supported by its source.

    The citation checker compares claims with passages of 60 words; a quote up to the cap is
    whole in one of them (they are cut at sentence ends), so it checks as supported.
    """
    sentence = (
        "During the winter survey of 2021 the field team collected moss cushions from "
        "fourteen alpine meadows, dried each sample for three weeks at room temperature, "
        "rehydrated it in spring water, counted the tardigrades that resumed walking within "
        "six hours, and found that animals dried within minutes mostly failed to recover "
        "even after a full day in cold clean spring water"
    ) + "."
    assert len(sentence.split()) == MAX_SENTENCE_WORDS
    source = "Tardigrades in the Alps\n\nAn earlier study of lowland forests was smaller and " \
             f"used a different method of drying. {sentence} Later studies confirmed the " \
             "result in the lab with animals bred from the same meadows."
    quote = widen(source, "counted the tardigrades that resumed walking")
    assert quote is not None and quote.text == sentence
    score, _passage = support_score(sentence, source)
    assert score >= SUPPORTED_AT
    # Twenty words more: cut around the quoted words, and still checked as supported.
    longer = sentence[:-1] + ", " + " ".join(["which the team repeated"] * 5) + "."
    quote = widen(source.replace(sentence, longer), "counted the tardigrades")
    assert quote is not None and quote.text.startswith("… ") and quote.text.endswith(" …")
    assert len(quote.text.strip("… ").split()) == MAX_SENTENCE_WORDS
    assert "counted the tardigrades" in quote.text
    assert support_score(quote.text, source.replace(sentence, longer))[0] >= SUPPORTED_AT


MARKDOWN = """# Options

The server reads its options at start-up:

| Option | Default | Meaning |
|---|---|---|
| --port | 8080 | The TCP port |
| --host | localhost | The interface, e.g. 0.0.0.0 |

Install it with these commands:

```sh
pip install server
if true; then
    server --port 8080
fi
```

Then:

1. Set SERVER_HOME to a folder. It must exist.
2. Run `server init`.
- A bullet item,
continued on a second line.
"""


def test_a_table_row_quote_becomes_a_table_with_its_header() -> None:
    quote = widen(MARKDOWN, "--host | localhost")
    assert quote == Quote(
        "| Option | Default | Meaning |\n| --- | --- | --- |\n"
        "| --host | localhost | The interface, e.g. 0.0.0.0 |", NoteKind.TABLE)
    # A quote of the header alone: the whole table.
    whole = widen(MARKDOWN, "Option | Default")
    assert whole is not None and whole.text.count("\n") == 3 and "--port" in whole.text


def test_rows_of_older_extractions_are_a_table_too() -> None:
    text = "Where they live\n\nHabitat | Typical genus\nMoss cushions | Macrobiotus\n" \
           "Marine sand | Batillipes"
    assert widen(text, "Marine sand | Batillipes") == Quote(
        "| Habitat | Typical genus |\n| --- | --- |\n| Marine sand | Batillipes |",
        NoteKind.TABLE)


def test_a_code_line_quote_becomes_the_fenced_block_with_its_introduction() -> None:
    quote = widen(MARKDOWN, "server --port 8080")
    assert quote == Quote(
        "```sh\npip install server\nif true; then\n    server --port 8080\nfi\n```",
        NoteKind.CODE, intro="Install it with these commands:")


def test_a_long_code_block_is_cut_to_the_quoted_lines() -> None:
    lines = [f"echo line {i}" for i in range(300)]
    text = "Run this script:\n\n```\n" + "\n".join(lines) + "\n```\n"
    quote = widen(text, "echo line 150")
    assert quote is not None and quote.kind is NoteKind.CODE
    body = quote.text.split("\n")
    assert body[0] == "```" and body[-1] == "```" and body[1] == "echo line 150"
    assert len(quote.text) <= 1200 + 8


def test_a_list_item_quote_becomes_the_whole_item() -> None:
    assert widen(MARKDOWN, "SERVER_HOME to a folder") == Quote(
        "1. Set SERVER_HOME to a folder. It must exist.", NoteKind.LIST)
    assert widen(MARKDOWN, "item, continued") == Quote(
        "- A bullet item, continued on a second line.", NoteKind.LIST)


def test_texts_without_blank_lines_are_read_near_the_quote() -> None:
    # 20,000 lines in one chunk: only lines near the quote are parsed (else this takes
    # seconds per note), and a long table still gets its own header.
    lines = [f"Line {i} says something about topic {i}." for i in range(20_000)]
    rows = [f"| key {i} | value {i} |" for i in range(500)]
    text = "\n".join(lines) + "\n\n| Key | Value |\n|---|---|\n" + "\n".join(rows)
    finder = QuoteFinder(text)
    assert finder.widen("says something about topic 12345") == Quote(
        "Line 12345 says something about topic 12345.", NoteKind.SENTENCE)
    assert finder.widen("key 400 | value 400") == Quote(
        "| Key | Value |\n| --- | --- |\n| key 400 | value 400 |", NoteKind.TABLE)


def test_a_code_block_without_a_prose_sentence_before_it_has_no_introduction() -> None:
    quote = widen("# Usage\n\n```\nrun it\n```", "run it")
    assert quote == Quote("```\nrun it\n```", NoteKind.CODE)


def test_valid_notes_widen_merge_and_drop() -> None:
    sources = [Source(url="u1", title="Deploy", content_hash="h1"),
               Source(url="u2", title="Options", content_hash="h2")]
    texts = {"h1": PROSE, "h2": MARKDOWN}
    raw = {"notes": [
        {"source": 1, "quote": "each other throughout the deployment process", "point": "p"},
        {"source": 1, "quote": "The web service and the worker talk"},  # the same sentence
        {"source": 2, "quote": "--port | 8080", "point": "port"},
        {"source": 2, "quote": "the worker talk to each other"},  # not in source 2
        {"source": 3, "quote": "anything at all here"},
        {"quote": "no source given"},
    ]}
    notes, dropped = valid_notes(raw, sources, texts)
    assert dropped == 3
    assert [Note.from_json(n).kind for n in notes] == [NoteKind.SENTENCE, NoteKind.TABLE]
    assert notes[0]["quote"].startswith("The web service") and notes[0]["point"] == "p"
    assert notes[1]["kind"] == "table" and notes[1]["source_hash"] == "h2"


def test_stored_notes_round_trip_and_old_notes_are_sentences() -> None:
    note = Note("h", "| a |\n| --- |\n| b |", "p", "t", "u", NoteKind.TABLE)
    assert Note.from_json(note.to_json()) == note
    old = {"source_hash": "h", "quote": "q", "point": "p", "title": "t", "url": "u"}
    assert Note.from_json(old).kind is NoteKind.SENTENCE
    with pytest.raises(ValueError):
        Note.from_json({**old, "kind": "poem"})
