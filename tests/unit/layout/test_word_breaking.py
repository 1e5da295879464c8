"""Thai, Lao and Khmer lines break between words (ICU's dictionaries), Latin as before."""

from __future__ import annotations

import re

import pytest
from icu4py.breakers import LineBreaker

from durable_research.layout.fonts import font_set
from durable_research.layout.inline import (
    RunStyle,
    char_width,
    needs_manual_wrap,
    styled_chars,
    wrapped_markup,
)
from durable_research.layout.linebreak import break_lines, width_of
from durable_research.layout.tables import measure
from durable_research.layout.wordbreak import split_words

THAI = (
    "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ ประเทศไทยมีประชากรประมาณหกสิบหกล้านคน"
    "และมีวัฒนธรรมที่หลากหลาย กรุงเทพมหานครเป็นเมืองหลวงและเป็นศูนย์กลางทางเศรษฐกิจ"
    "ของประเทศ นักท่องเที่ยวจำนวนมากเดินทางมาเยี่ยมชมวัดวาอารามและชายหาดที่สวยงาม"
)
LAO = "ພາສາລາວເປັນພາສາທີ່ບໍ່ມີການຍະຫວ່າງລະຫວ່າງຄຳ ປະເທດລາວມີປະຊາກອນປະມານເຈັດລ້ານຄົນ"
KHMER = "ភាសាខ្មែរគឺជាភាសាផ្លូវការរបស់ប្រទេសកម្ពុជា ប្រជាជនកម្ពុជាភាគច្រើននិយាយភាសាខ្មែរ"
SIZE = 10.5


def _boundaries(text: str) -> set[int]:
    """Where ICU's line breaker, run on the whole paragraph, allows a break."""
    ends, pos = set(), 0
    for piece in LineBreaker(text, ""):
        pos += len(piece)
        ends.add(pos)
    return ends


def _lines(text: str, width: float) -> list[str]:
    markup, _ = wrapped_markup([(text, RunStyle())], font_set(), width, SIZE)
    return [re.sub("<[^>]+>", "", line).replace("&nbsp;", " ") for line in markup.split("<br/>")]


@pytest.mark.parametrize("text", [THAI, LAO, KHMER], ids=["thai", "lao", "khmer"])
def test_narrow_column_breaks_only_between_words(text: str) -> None:
    lines = _lines(text, 110)
    assert len(lines) >= 4, lines
    allowed = _boundaries(text)
    pos = 0
    for line in lines[:-1]:
        pos = text.index(line, pos) + len(line)
        while text[pos:pos + 1] == " ":  # the space a line ends with is dropped
            pos += 1
        assert pos in allowed, (line, text[pos:pos + 10])
    # Nothing lost, nothing doubled (spaces at line ends are dropped).
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_lines_fill_the_column() -> None:
    fs = font_set()
    chars = styled_chars([(THAI, RunStyle())], fs)
    lines = break_lines(chars, 110, SIZE)
    assert all(width_of(line, SIZE) <= 110 for line in lines)
    # Greedy between words: the next word would not have fitted on the line.
    words = [w for piece in THAI.split(" ") for w in split_words(piece)]
    assert len(lines) < len(words) / 2


def test_latin_breaks_only_at_spaces() -> None:
    assert not needs_manual_wrap([("Latin text, world-wide and well-known.", RunStyle())])
    # Mixed with Thai (our own wrapping): Latin words stay whole, hyphens included.
    text = "world-wide well-known ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรค state-of-the-art " * 4
    for line in _lines(text.strip(), 120):
        for word in re.findall("[A-Za-z-]+", line):
            assert word in {"world-wide", "well-known", "state-of-the-art"}, (word, line)


def test_split_words_leaves_other_text_whole() -> None:
    assert split_words("world-wide") == ("world-wide",)
    assert split_words("ภาษาไทยเป็นภาษา") == ("ภาษา", "ไทย", "เป็น", "ภาษา")


def test_table_columns_may_narrow_to_the_longest_thai_word() -> None:
    fs = font_set()
    phrase = THAI.split(" ")[0]
    longest_word, longest_line = measure([(phrase, RunStyle())], fs, SIZE)
    widths = [sum(char_width(c, f, SIZE) for c, f, _ in styled_chars([(w, RunStyle())], fs))
              for w in LineBreaker(phrase, "")]
    assert longest_word == pytest.approx(max(widths))
    assert longest_word < longest_line / 4  # the phrase is one "word" between spaces


def test_arabic_lines_are_measured_as_reportlab_draws_them() -> None:
    """Arabic was measured shaped left to right (other forms, a fifth narrower): the lines
    we broke were too wide for reportlab, which broke each again, and a paragraph's first
    word stood alone on a line after the rest of its line (found in a new user's trial)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    fs = font_set()
    text = ("بطيئات المشية حيوانات مجهرية تعيش في الطحالب والأشنات. " * 4).strip()
    width = 470.0
    markup, _ = wrapped_markup([(text, RunStyle())], fs, width, SIZE)
    ours = markup.count("<br/>") + 1
    para = Paragraph(markup, ParagraphStyle("b", fontName=fs.regular, fontSize=SIZE,
                                            leading=SIZE * 1.4, splitLongWords=0,
                                            shaping=1))  # as paragraphs.para styles it
    para.wrap(width, 10_000)
    assert len(para.blPara.lines) == ours
