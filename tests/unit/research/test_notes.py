"""Notes written out as Markdown: sentences cited, tables as tables, code fenced, lists listed."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

from durable_research.activities.writing import valid_notes
from durable_research.contract.citations import Reference
from durable_research.research import prompts
from durable_research.research.citations import cited_sentences
from durable_research.research.extractive import extractive_section
from durable_research.research.notes import CitedNote, NoteKind, cite_sentences, render_notes
from durable_research.research.types import Source
from durable_research.testing.fake_research import research_reply

_MD = MarkdownIt("commonmark").enable("table")

TABLE = "| Habitat | Typical genus |\n| --- | --- |\n| Moss cushions | Macrobiotus |"
NOTES = [
    CitedNote(1, "p", "Tardigrades live in moss. They dry out often."),
    CitedNote(2, "p", TABLE, NoteKind.TABLE),
    CitedNote(3, "p", "| Habitat | Typical genus |\n| --- | --- |\n| Marine sand | Batillipes |",
              NoteKind.TABLE),
    CitedNote(1, "p", "Most tardigrades feed on plant cells."),
    CitedNote(2, "p", "- Herbivores eat moss and algae.\n- Predators eat rotifers.",
              NoteKind.LIST),
    CitedNote(4, "p", "```sh\npip install foo\n    foo --init\n```", NoteKind.CODE,
              intro="Install the tool with these commands:"),
    CitedNote(4, "p", "```\nfoo --help\n```", NoteKind.CODE),
]


def blocks(markdown: str) -> dict[str, list[str]]:
    """The text of each kind of block of ``markdown``: paragraphs, table cells, items, code."""
    toks = _MD.parse(markdown)
    found: dict[str, list[str]] = {"paragraph": [], "cell": [], "item": [], "fence": []}
    in_item = False
    for i, tok in enumerate(toks):
        if tok.type in ("list_item_open", "list_item_close"):
            in_item = tok.type == "list_item_open"
        elif tok.type == "fence":
            found["fence"].append(tok.content)
        elif tok.type == "inline" and toks[i - 1].type in ("td_open", "th_open"):
            found["cell"].append(tok.content)
        elif tok.type == "inline" and toks[i - 1].type == "paragraph_open":
            found["item" if in_item else "paragraph"].append(tok.content)
    return found


def assert_blocks_kept(markdown: str) -> None:
    """No table row in prose; the table, the list items and the code are what they were."""
    found = blocks(markdown)
    assert found["paragraph"] and not any("|" in p for p in found["paragraph"]), markdown
    assert any("Macrobiotus [" in c for c in found["cell"]), found["cell"]
    assert any("Batillipes [" in c for c in found["cell"]), found["cell"]
    assert "Herbivores eat moss and algae [2]." in found["item"]
    assert "pip install foo\n    foo --init\n" in found["fence"]
    assert "foo --help\n" in found["fence"]


def test_render_keeps_blocks_and_cites_everything_checked() -> None:
    text = render_notes(NOTES)
    assert_blocks_kept(text)
    # One table for the two table notes with the same header, each row citing its source.
    assert text.count("| Habitat | Typical genus |") == 1
    assert "| Moss cushions | Macrobiotus [2] |\n| Marine sand | Batillipes [3] |" in text
    # Code: the source's introducing sentence, cited, then the block.
    assert "Install the tool with these commands [4]:\n\n```sh\n" in text
    checked = {s.sentence: s.cites for s in cited_sentences(text)}
    assert checked["Tardigrades live in moss."] == [1]
    assert checked["They dry out often."] == [1]
    assert checked["Macrobiotus"] == [2] and checked["Batillipes"] == [3]
    assert checked["Predators eat rotifers."] == [2]
    assert checked["Install the tool with these commands:"] == [4]
    assert extractive_section(NOTES) == text


def test_cite_sentences() -> None:
    assert cite_sentences("One here. Two there!", 3) == "One here [3]. Two there [3]!"
    assert cite_sentences('He said "stop."', 1) == 'He said "stop." [1]'
    assert cite_sentences("A title", 2) == "A title [2]."
    assert cite_sentences("A list item", 2, close=False) == "A list item [2]"
    assert cite_sentences("… a quote cut short …", 2) == "… a quote cut short … [2]."
    assert cite_sentences("Wait ...", 2) == "Wait [2]..."
    # A quote's own "[12]" would read as a citation: escaped, the checker skips it.
    cited = cite_sentences("Water boils at 100 °C [12].", 5)
    assert [s.cites for s in cited_sentences(cited)] == [[5]]


def _prompt(notes: list[CitedNote]) -> str:
    refs = [Reference(n=n, title=f"Source {n}", url=f"https://s{n}.test/") for n in range(1, 5)]
    return prompts.section_prompt("Q?", "Sub?", notes, refs)


def test_section_prompt_gives_block_quotes_as_blocks() -> None:
    prompt = _prompt(NOTES)
    assert '- [1] p (quote: "Tardigrades live in moss. They dry out often.")' in prompt
    assert "- [2] p (table quote, below)\n    | Habitat | Typical genus |\n    | --- | --- |\n" \
        in prompt
    assert '(code quote, below; introduced in the source by: "Install the tool with these ' \
        'commands:")\n    ```sh\n    pip install foo\n        foo --init\n    ```' in prompt


def test_fake_model_writes_blocks_as_blocks() -> None:
    text = research_reply(prompts.SECTION_SYSTEM, _prompt(NOTES))
    assert text is not None
    assert_blocks_kept(text)
    assert text == render_notes(NOTES)


def test_fake_model_quotes_a_clause_and_a_table_row_which_notes_widen() -> None:
    source = ("Tardigrades are commonly collected from mosses and lichens, which dry out and "
              "rehydrate again and again.\n\n" + TABLE)
    prompt = prompts.notes_prompt("Q?", "Where do they live?", [(1, "Habitats", source)])
    raw = json.loads(research_reply(prompts.NOTES_SYSTEM, prompt) or "")
    quotes = [n["quote"] for n in raw["notes"]]
    assert quotes == ["which dry out and rehydrate again and again.",
                      "Moss cushions | Macrobiotus"]
    notes, dropped = valid_notes(raw, [Source(title="Habitats", content_hash="h")],
                                 {"h": source})
    assert dropped == 0
    assert [(n["kind"], n["quote"]) for n in notes] == [
        ("sentence", source.split("\n")[0]), ("table", TABLE)]
