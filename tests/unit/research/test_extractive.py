"""Notes and sections without an LLM: quotes of the best passages, cited."""

from __future__ import annotations

from durable_research.research.extractive import (
    extractive_notes,
    extractive_section,
    has_citations,
    sentences,
)
from durable_research.research.notes import CitedNote, NoteKind
from durable_research.research.widen import Quote
from tests.support.one_line_notes import WAL_NOTES


def test_notes_quote_whole_sentences_of_the_best_passages() -> None:
    texts = {
        "a": "# Diet\n\nMost tardigrades feed by piercing plant cells with a pair of stylets. "
             "Some eat small animals such as rotifers and nematodes.",
        "b": "Tardigrades live in moss, lichens, sea sediments and leaf litter all over Earth.",
    }
    notes = extractive_notes(texts, "what do tardigrades eat", per_source=1)
    assert notes[0] == ("a", Quote("Most tardigrades feed by piercing plant cells with a pair "
                                   "of stylets.", NoteKind.SENTENCE))
    assert all(q.text in texts[t] for t, q in notes)
    assert "# Diet" not in " ".join(q.text for _t, q in notes)


def test_sections_cite_every_sentence() -> None:
    text = extractive_section([CitedNote(2, "p", "Tardigrades have eight legs."),
                               CitedNote(1, "p", "They moult")])
    assert text == "Tardigrades have eight legs [2]. They moult [1]."
    assert all(has_citations(s) for s in sentences(text, min_words=1))
    assert not has_citations("No citation [here] or [x1].")
    assert has_citations("Several [2, 3] and ranges [4-6].")


def test_thai_documents_give_quoted_notes() -> None:
    """The fallback quoted nothing from a Thai document (no full stops in Thai)."""
    text = ("# ทาร์ดิเกรด\n\nทาร์ดิเกรดเป็นสัตว์ขนาดเล็กที่อาศัยอยู่ในมอสและไลเคน "
            "พวกมันสามารถอยู่รอดได้โดยไม่มีน้ำเป็นเวลาหลายสิบปี\n\n## อวกาศ\n\n"
            "ทาร์ดิเกรดรอดชีวิตจากสุญญากาศในอวกาศในการทดลองเมื่อปี 2007")
    notes = extractive_notes({"t": text}, "ทาร์ดิเกรดรอดชีวิตในอวกาศได้อย่างไร")
    assert notes and all(q.text in text for _t, q in notes)
    assert "ทาร์ดิเกรด" not in [q.text for _t, q in notes]  # the heading is no sentence
    assert "ทาร์ดิเกรดรอดชีวิตจากสุญญากาศในอวกาศในการทดลองเมื่อปี 2007" in [
        q.text for _t, q in notes]


def test_lines_without_a_full_stop_are_quoted_whole() -> None:
    notes = extractive_notes(WAL_NOTES, "How does a SQLite WAL checkpoint work?")
    assert notes
    lines = {t: text.splitlines()[-1] for t, text in WAL_NOTES.items()}
    # Each quote is its document's whole line (no heading, nothing cut).
    assert all(q.text == lines[t] for t, q in notes)
    assert any("checkpoint" in q.text for _t, q in notes)


def test_a_cut_line_is_quoted_as_its_whole_sentence() -> None:
    """A line the passage cut (or run-together text) is widened on its source: the quote
    is never a fragment of an unterminated line."""
    text = ("Intro sentence here. The checkpoint copies committed pages from the WAL file "
            "back into the database file\nwhile readers keep reading their snapshot\n")
    notes = extractive_notes({"a": text}, "checkpoint copies pages")
    assert [q.text for _t, q in notes] == [
        "The checkpoint copies committed pages from the WAL file back into the database "
        "file while readers keep reading their snapshot"]
