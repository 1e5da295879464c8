"""Line breaking measures each ASCII word once per font and size, with the same widths
as reportlab and the same PDF bytes."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.platypus import paragraph as rl_paragraph

from durable_research.contract.report import ReportContent
from durable_research.layout import render_bytes, widths
from durable_research.layout.fonts import font_set
from durable_research.layout.paragraphs import Paragraph, make_styles
from tests.support.sample_report import SAMPLE_REPORT
from tests.unit.layout.test_fragments import MARKUP, _deep_report

WORDS = ["claim", "Tardigrades", "x", "", " ", "Ωμέγα", "中文字符", "שלום", "\ue000a"]


def test_the_same_widths_as_reportlab() -> None:
    fs = font_set()
    for name in (fs.regular, fs.bold, "Helvetica"):
        for size in (8, 10.5, 12.0):
            for word in WORDS:
                assert widths.string_width(word, name, size) == \
                    pdfmetrics.stringWidth(word, name, size), (name, size, word)


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the regular font measures from here on (the cache emptied first)."""
    texts: list[str] = []
    font = pdfmetrics.getFont(font_set().regular)
    real = type(font).stringWidth

    def counted(self: Any, text: str, size: float, encoding: str = "utf8") -> float:
        texts.append(text)
        return float(real(self, text, size, encoding))

    widths.clear()
    monkeypatch.setattr(type(font), "stringWidth", counted)
    return texts


def test_a_repeated_ascii_word_is_measured_once(measured: list[str]) -> None:
    first = widths.string_width("resilience", font_set().regular, 10.5)
    assert widths.string_width("resilience", font_set().regular, 10.5) == first
    assert measured == ["resilience"]


def test_other_text_is_measured_each_time(measured: list[str]) -> None:
    """Non-ASCII text is left alone (shaping gives private-use code points widths as it
    goes), and so are shaped strings, which compare equal to their plain text."""
    shaped = ShapedStr("word")
    for text in ("Ωμέγα", "Ωμέγα", shaped, shaped):
        widths.string_width(text, font_set().regular, 10.5)
    assert measured == ["Ωμέγα", "Ωμέγα", "word", "word"]


def test_line_breaking_asks_the_cache() -> None:
    assert rl_paragraph.stringWidth is widths.string_width  # installed by the layout
    widths.clear()
    Paragraph(MARKUP, make_styles(font_set()).body).wrap(300, 10_000)
    assert widths.cache_hits() > 100


@pytest.mark.parametrize("content", [SAMPLE_REPORT, _deep_report()], ids=["sample", "deep"])
def test_the_same_pdf_bytes_as_without_the_cache(
        monkeypatch: pytest.MonkeyPatch, content: ReportContent) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)  # no timestamp, no random document id
    ours = render_bytes(content, "pdf")
    monkeypatch.setattr(rl_paragraph, "stringWidth", pdfmetrics.stringWidth)
    assert render_bytes(content, "pdf") == ours
