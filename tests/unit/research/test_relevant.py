"""The parts of a passage a notes prompt sends: matching sentences, whole units, in order."""

from __future__ import annotations

from durable_research.research.passages import tokens
from durable_research.research.relevant import (
    ELISION,
    focused,
    relevant_part,
    remember,
    units,
    without_repeats,
)

PROSE = ("Tardigrades live in moss. They are also called water bears. Their legs end in "
         "claws. A dried tardigrade can survive space vacuum. It recovers when wetted.")


def texts(passage: str) -> list[str]:
    return [passage[u.start : u.end] for u in units(passage)]


def test_units_are_sentences_headings_tables_and_code() -> None:
    passage = ("# Habitat\nTardigrades live in moss. They are\ncalled water bears.\n"
               "| Habitat | Genus |\n| --- | --- |\n| Moss | Macrobiotus |\n"
               "- Item one. Still item one.\n```\ncode line. Another.\n```\nAfter.")
    assert texts(passage) == [
        "# Habitat", "Tardigrades live in moss.", "They are\ncalled water bears.",
        "| Habitat | Genus |\n| --- | --- |\n| Moss | Macrobiotus |",
        "- Item one.", "Still item one.", "```\ncode line. Another.\n```", "After."]


def test_a_list_items_marker_stays_with_its_first_sentence() -> None:
    assert texts("3. DEFAULT VALUES inserts one row. It has defaults.\n4. Next item.") == [
        "3. DEFAULT VALUES inserts one row.", "It has defaults.", "4. Next item."]


def test_an_unclosed_fence_runs_to_the_passage_end() -> None:
    assert texts("Intro.\n```\nx = 1. y = 2.\nz") == ["Intro.", "```\nx = 1. y = 2.\nz"]


def test_matching_sentences_in_order_mark_what_is_left_out() -> None:
    part = relevant_part(PROSE, frozenset(tokens("moss claws")), neighbours=0)
    assert part == f"Tardigrades live in moss.\n{ELISION}\nTheir legs end in claws."


def test_two_shared_terms_can_be_asked_for() -> None:
    terms = frozenset(tokens("tardigrade vacuum wetted"))
    assert relevant_part(PROSE, terms, neighbours=0, min_shared=2) == (
        "A dried tardigrade can survive space vacuum.")
    assert relevant_part(PROSE, frozenset(tokens("photosynthesis"))) == ""


def test_a_table_is_kept_whole_with_its_header() -> None:
    passage = "Habitats differ.\n| Habitat | Genus |\n| --- | --- |\n| Moss | Macrobiotus |"
    assert relevant_part(passage, frozenset(tokens("macrobiotus")), neighbours=0) == (
        "| Habitat | Genus |\n| --- | --- |\n| Moss | Macrobiotus |")


def test_a_sentence_sent_before_is_not_sent_again() -> None:
    seen: set[str] = set()
    remember("Cookies help us improve. Tardigrades live in moss.", seen)
    part = relevant_part("Cookies  help us improve. Moss is damp.",
                         frozenset(tokens("cookies moss")), seen, neighbours=0)
    assert part == "Moss is damp."


def test_focused_sends_each_texts_best_passage_whole() -> None:
    ranked = [("a", PROSE), ("b", "Bears eat fish. Moss grows slowly."),
              ("a", "Eggs are laid in moults. Tardigrades moult often. Space is cold.")]
    out = focused(ranked, "tardigrades moult")
    assert [(s.text_id, s.part) for s in out] == [
        ("a", PROSE), ("b", "Bears eat fish. Moss grows slowly."),
        ("a", "Eggs are laid in moults. Tardigrades moult often.")]
    assert out[0].whole and not out[2].whole
    assert out[2].units == ("eggs are laid in moults.", "tardigrades moult often.")


def test_focused_leaves_out_a_passage_with_nothing_relevant() -> None:
    ranked = [("a", PROSE), ("a", "Bears eat fish. Moss grows slowly.")]
    out = focused(ranked, "water bears claws space")
    assert [s.part for s in out] == [PROSE, ""]


def test_focused_leaves_out_what_another_call_was_sent() -> None:
    later = "Eggs are laid in moults. Tardigrades moult often. Moults take days."
    out = focused([("a", PROSE), ("a", later)], "tardigrades moult",
                  [(), ["eggs are laid in moults."]])
    assert out[1].part == "Tardigrades moult often. Moults take days."


def test_a_sentence_two_sections_wrote_is_sent_once() -> None:
    seen: set[str] = set()
    first = ("They live in moss [1]. They moult every month [2].\n\n"
             "| Habitat |\n| --- |\n| Moss [1] |")
    assert without_repeats(first, seen) == first
    second = ("They moult every month [2]. They eat algae [3].\n\nThey live in moss [1]."
              "\n\n| Habitat |\n| --- |\n| Moss [1] |\n\nThey lay eggs [3].")
    assert without_repeats(second, seen) == "They eat algae [3].\n\nThey lay eggs [3]."
    # The same words citing another source are another sentence.
    assert without_repeats("They moult every month [3].", seen) == \
        "They moult every month [3]."
    # A short unit is no repeat worth leaving out (a list's "Yes.", a label).
    assert without_repeats("- Yes.\n- Yes.", seen) == "- Yes.\n- Yes."


def test_the_sentence_before_is_kept_only_for_one_that_refers_back() -> None:
    # "A dried tardigrade ..." stands alone: "Their legs end in claws." before it tells a
    # note-taker nothing it needs; "It recovers ..." needs the sentence it refers back to.
    terms = frozenset(tokens("survive vacuum"))
    assert relevant_part(PROSE, terms) == "A dried tardigrade can survive space vacuum."
    assert relevant_part(PROSE, frozenset(tokens("recovers wetted"))) == (
        "A dried tardigrade can survive space vacuum. It recovers when wetted.")
    assert relevant_part("1. Moss is damp.\n2. It holds water.",
                         frozenset(tokens("holds water"))) == (
        "1. Moss is damp.\n2. It holds water.")


def test_a_source_not_surely_in_english_keeps_every_sentence_before() -> None:
    # Which words refer back is known for English only.
    german = ("Bärtierchen leben im Moos. Ihre Beine enden in Krallen. Ein getrocknetes "
              "Bärtierchen überlebt das Vakuum.")
    assert relevant_part(german, frozenset(tokens("überlebt vakuum")), english=False) == (
        "Ihre Beine enden in Krallen. Ein getrocknetes Bärtierchen überlebt das Vakuum.")
    later = "Sie fressen Algen. Ein Bärtierchen überlebt auch Kälte und Vakuum."
    assert focused([("a", german), ("a", later)], "überlebt vakuum")[1].part == later


def test_a_best_passage_another_call_was_sent_whole_goes_as_its_relevant_sentences() -> None:
    # The best passage of a source is sent whole so that the sub-question can quote every
    # source; another call of the report already read all of it: here its sentences on
    # this sub-question are enough. Nothing relevant: whole, as before.
    out = focused([("a", PROSE), ("b", "Bears eat fish. Moss grows slowly.")],
                  "survive space vacuum", sent_whole=[0, 1])
    assert [s.part for s in out] == ["A dried tardigrade can survive space vacuum.",
                                     "Bears eat fish. Moss grows slowly."]
