"""Sentence boundaries: where quotes may start and end."""

from __future__ import annotations

import pytest

from durable_research.research.sentences import ends_sentence, sentence_spans, split_sentences


@pytest.mark.parametrize(
    "sentence",
    [
        "It needs Python 3.12 or later, e.g. from python.org.",
        "Dr. Smith tested version 3.40.1 of the library.",
        "Edit config.yaml and run setup.py before the first start.",
        "The U.S. Navy paid 2.5 million dollars, i.e. more than planned.",
        "Most samples (see Fig. 3) survived the test.",
        "Ask J. R. R. Tolkien about it.",
        "Vol. 2 and No. 5 of the journal say so.",
        "Pi is about 3.14159 and e is about 2.71828.",
    ],
)
def test_abbreviations_decimals_versions_and_file_names_do_not_end_sentences(
    sentence: str,
) -> None:
    assert split_sentences(f"First one. {sentence} Last one.") == [
        "First one.", sentence, "Last one."]


def test_boundaries() -> None:
    text = 'He said "Stop." Then he left! Did he? Yes… Next line\ncontinues here. 5 is a number.'
    assert split_sentences(text) == [
        'He said "Stop."', "Then he left!", "Did he?", "Yes…",
        "Next line continues here.", "5 is a number."]
    # A lower-case word after a full stop continues the sentence; text without a full stop
    # at the end is a sentence too (a heading, a caption).
    assert split_sentences("Use the tool. it works. A title") == [
        "Use the tool. it works.", "A title"]
    assert split_sentences("  ") == []
    assert split_sentences("中文句子。第二句。") == ["中文句子。", "第二句。"]


def test_spans_point_into_the_text() -> None:
    text = "  One here.  Two\nthere.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["One here.", "Two\nthere."]


def test_ends_sentence() -> None:
    assert ends_sentence("Done.") and ends_sentence('He said "stop."') and ends_sentence("Ok?")
    assert not ends_sentence("Then configure it:") and not ends_sentence("") \
        and not ends_sentence("A title")


def test_scripts_without_a_full_stop_end_sentences_too() -> None:
    """Thai and Lao end a sentence with a space or the paragraph, Khmer with ។, Burmese
    with ။: no sentence of a Thai document ended, so neither a model's notes nor the
    quoted fallback had anything to quote (found in a new user's trial)."""
    thai = "ทาร์ดิเกรดรอดชีวิตจากสุญญากาศในอวกาศในการทดลองเมื่อปี 2007"
    assert ends_sentence(thai) and ends_sentence("ທາດີເກຣດອາໄສຢູ່ໃນມອດ")
    assert ends_sentence("ទាឌីក្រាដរស់នៅក្នុងស្លែ។") and ends_sentence("တာဒီဂရိတ်များသည် ရေညှိတွင်နေထိုင်သည်။")
    assert split_sentences("ទាឌីក្រាដរស់នៅក្នុងស្លែ។ វាអាចរស់បាន។") == [
        "ទាឌីក្រាដរស់នៅក្នុងស្លែ។", "វាអាចរស់បាន។"]
    assert not ends_sentence("A title") and not ends_sentence("ทาร์ดิเกรด:")
