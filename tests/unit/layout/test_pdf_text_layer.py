"""The PDF's text layer for shaped scripts: each shaped word carries its source text."""

from __future__ import annotations

import io

from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas

from durable_research.contract.report import ReportContent
from durable_research.layout import actualtext
from durable_research.layout.fonts import font_set, resolve_char
from durable_research.layout.pdf import render_pdf
from durable_research.layout.shaping import _bases_first, shape, shaped_text
from tests.support.pdftools import actual_texts

HINDI = "यह क्षत्रिय परिचय हिन्दी में है"
BENGALI = "বাংলা ভাষা শিক্ষা বিজ্ঞান"
ARABIC = "ذَهَبَ الطَّالِبُ إِلَى الْمَدْرَسَةِ مُبَكِّرًا"


def test_every_shaped_word_is_a_span_of_its_text() -> None:
    data = render_pdf(ReportContent(body_markdown=f"{HINDI}\n\n{BENGALI}\n\n**{ARABIC}**"))
    spans = actual_texts(data)
    # Left to right in logical order: the i-matra of "परिचय" is drawn before र, the
    # conjunct क्ष is one glyph; the span gives the characters as typed.
    for word in [*HINDI.split(), *BENGALI.split()]:
        assert word in spans, (word, spans)
    # Right to left in drawn order (the module docstring says why); read back to front
    # it is the word with each haraka after its letter.
    assert [s[::-1] for s in spans if s[::-1] in ARABIC.split()] == ARABIC.split()[::-1]


def test_text_drawn_char_by_char_has_no_span() -> None:
    data = render_pdf(ReportContent(title="Plain", body_markdown="Zoë façade, 中文 and Ελληνικά"))
    assert actual_texts(data) == []


def _segment(word: str) -> tuple[str, ShapedStr]:
    font, _ = resolve_char(font_set().regular, word[0]) or ("", "")
    drawn, shape_data, _ = shaped_text(font, word, 0, len(word), False)
    return font, ShapedStr(drawn, shapeData=shape_data)


def _operators(font: str, text: str) -> str:
    tx = Canvas(io.BytesIO()).beginText()
    tx.setFont(font, 10)
    return str(tx._formatText(text))


def test_only_a_whole_segment_gets_its_span() -> None:
    font, word = _segment("परिचय")
    whole = _operators(font, word)
    assert whole.startswith(actualtext.begin_span("परिचय")) and whole.endswith("EMC")
    # A word reportlab cut in two (too long for its line) keeps the fonts' ToUnicode
    # text: repeating the whole word's text on both lines would double it.
    assert "BDC" not in _operators(font, word[:2])
    # Joined with other text, as reportlab joins the words of a line, the span stays.
    joined = _operators(font, word + " " + word)
    assert joined.count("BDC") == 2 and joined.count("EMC") == 2


def test_span_text_is_a_utf16_string_with_a_byte_order_mark() -> None:
    assert actualtext.begin_span("𝔸é") == (
        "/Span << /ActualText <FEFFD835DD38" "00E9> >> BDC"
    )


def test_right_to_left_marks_follow_their_letter_and_stay_in_place() -> None:
    word = "الْكِتَابُ"  # ends with a damma: drawn leftmost, and by HarfBuzz first
    font, _ = resolve_char(font_set().regular, word[0]) or ("", "")
    glyphs = shape(font, word, 0, len(word), True)
    assert glyphs[0][2] == 0

    def placed(seq: list[tuple[int, tuple[int, int, int, int, int]]]) -> set[tuple[int, int, int]]:
        pen, out = 0, set()
        for _, (gid, _cluster, adv, x_off, y_off) in seq:
            out.add((gid, pen + x_off, y_off))
            pen += adv
        return out

    reordered = _bases_first(glyphs)
    assert placed(reordered) == placed(list(enumerate(glyphs)))  # the same picture
    assert reordered[0][1][2] > 0  # drawn starting with a letter
    assert sorted(n for n, _ in reordered) == list(range(len(glyphs)))
