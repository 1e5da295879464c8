"""Typesetting in many scripts: glyphs, HarfBuzz shaping, RTL layout, CJK breaking."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import uharfbuzz as hb
from bidi import get_display
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfbase import pdfmetrics

from durable_research.contract.report import ReportContent
from durable_research.layout import fonts, scriptfonts
from durable_research.layout.fontfiles import find_font_file
from durable_research.layout.fonts import REPLACEMENT, font_set
from durable_research.layout.linebreak import NO_END, NO_START, break_lines
from durable_research.layout.pdf import render_pdf
from tests.support.pdftools import drawn_lines, preview_tools, raw_bytes

SAMPLES = {
    "latin": "Zoë façade naïve",
    "greek": "Ελληνικά γράμματα",
    "cyrillic": "Кириллица Привет",
    "arabic": "مَرْحَبًا بِالْعَالَمِ",
    "hebrew": "שָׁלוֹם עוֹלָם",
    "persian": "می‌خواهم فارسی",
    "urdu": "یہ ایک جملہ ہے",
    "devanagari": "परिचय क्षत्रिय हिन्दी",
    "bengali": "বাংলা ভাষা",
    "tamil": "தமிழ் மொழி",
    "thai": "ภาษาไทย สวัสดีครับ",
    "chinese": "中文字符",
    "japanese": "日本語のかな",
    "korean": "한국어 문장",
}


def _doc(text: str) -> str:
    """The sample in body text, a heading, a list, a table and a code block."""
    return (f"## {text}\n\n{text} **{text}**\n\n- {text}\n\n| {text} |\n|---|\n| {text} |\n\n"
            f"```\n{text}\n```\n")


def _subset_fonts(page: Any) -> dict[str, tuple[str, TTFont]]:
    out = {}
    for name, ref in page["/Resources"]["/Font"].items():
        font = ref.get_object()
        if "/FontDescriptor" in font:
            raw = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            out[name] = (str(font["/BaseFont"]).split("+", 1)[-1], TTFont(io.BytesIO(raw)))
    return out


def drawn_glyphs(data: bytes) -> list[tuple[str, TTFont, str]]:
    """Every glyph drawn, in content order: (face name, embedded subset, glyph name)."""
    out: list[tuple[str, TTFont, str]] = []
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        subsets = _subset_fonts(page)
        current: tuple[str, TTFont] | None = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = subsets.get(str(operands[0]))
            elif op in (b"Tj", b"TJ") and current is not None:
                cmap = current[1]["cmap"].getcmap(1, 0).cmap  # reportlab writes (1,0)
                parts = operands[0] if op == b"TJ" else [operands[0]]
                for part in parts:
                    if isinstance(part, (str, bytes)):
                        out.extend((current[0], current[1], cmap.get(b, ".notdef"))
                                   for b in raw_bytes(part))
    return out


def _content(data: bytes) -> bytes:
    contents = PdfReader(io.BytesIO(data)).pages[0].get_contents()
    assert contents is not None
    return bytes(contents.get_data())


def _outline(tt: TTFont, name: str) -> tuple[Any, ...]:
    glyf = tt["glyf"]
    coords, ends, _ = glyf[name].getCoordinates(glyf)
    return tuple(coords), tuple(ends)


@pytest.mark.parametrize("script", sorted(SAMPLES))
def test_every_script_is_drawn_with_real_glyphs(script: str) -> None:
    data = render_pdf(ReportContent(title=script, body_markdown=_doc(SAMPLES[script])))
    glyphs = drawn_glyphs(data)
    assert glyphs
    missing = [(face, g) for face, _, g in glyphs if g == ".notdef"]
    assert not missing, f"{script}: .notdef drawn from {missing[:5]}"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert REPLACEMENT not in text
    drawn_faces = {face for face, _, _ in glyphs}
    if script in ("arabic", "persian", "urdu", "hebrew", "devanagari", "bengali", "tamil",
                  "thai"):
        assert any(face.startswith("NotoSans") for face in drawn_faces), drawn_faces


def _hb_outlines(font_file: Path, text: str) -> list[tuple[Any, ...]]:
    blob = hb.Blob.from_file_path(str(font_file))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(hb.Font(hb.Face(blob)), buf, {"kern": True, "liga": True})
    tt = TTFont(str(font_file))
    order = tt.getGlyphOrder()
    glyphs = [(order[i.codepoint], p.x_advance)
              for i, p in zip(buf.glyph_infos, buf.glyph_positions, strict=True)]
    if buf.direction == "rtl":
        # Right to left, each letter is drawn before its marks (HarfBuzz puts the
        # zero-advance marks first), so a text extractor meets the letter first.
        reordered: list[tuple[str, int]] = []
        marks: list[tuple[str, int]] = []
        for name, adv in glyphs:
            if adv == 0:
                marks.append((name, adv))
            else:
                reordered += [(name, adv), *marks]
                marks = []
        glyphs = reordered + marks
    return [_outline(tt, name) for name, _ in glyphs]


@pytest.mark.parametrize(
    ("word", "font_file"),
    [
        ("परिचय", "NotoSansDevanagari-Regular.ttf"),  # i-matra drawn before र
        ("क्षत्रिय", "NotoSansDevanagari-Regular.ttf"),  # conjuncts
        ("مَرْحَبًا", "NotoSansArabic-Regular.ttf"),  # joining forms, harakat on their letters
        ("لا بأس", "NotoSansArabic-Regular.ttf"),  # lam-alef ligature
        ("می‌خواهم", "NotoSansArabic-Regular.ttf"),  # ZWNJ breaks the joining
        ("ภาษาไทย", "NotoSansThai-Regular.ttf"),
        ("শিক্ষা", "NotoSansBengali-Regular.ttf"),
        ("தமிழ்", "NotoSansTamil-Regular.ttf"),
    ],
)
def test_drawn_glyphs_match_harfbuzz(word: str, font_file: str) -> None:
    path = find_font_file((font_file,))
    if path is None:
        pytest.skip(f"{font_file} not installed (Debian fonts-noto-core)")
    data = render_pdf(ReportContent(body_markdown=word))
    face = font_file.removesuffix(".ttf")
    drawn = [_outline(tt, g) for f, tt, g in drawn_glyphs(data) if f == face]
    # Words of an RTL paragraph are drawn right to left, as HarfBuzz orders each word.
    expected = [o for part in reversed(word.split()) for o in _hb_outlines(path, part)] if (
        " " in word and font_file.startswith("NotoSansArabic")
    ) else _hb_outlines(path, word)
    expected = [o for o in expected if o[0]]  # the space glyph comes from the base font
    assert [o for o in drawn if o[0]] == expected


def test_marks_are_positioned_by_harfbuzz() -> None:
    # Fatha/sukun sit above their letters: the shaped text carries position adjustments.
    data = render_pdf(ReportContent(body_markdown="مَرْحَبًا"))
    content = _content(data)
    assert b"TJ" in content and b"Ts" in content  # x adjustments and a raised mark


def test_rtl_list_bullets_sit_at_the_right() -> None:
    data = render_pdf(ReportContent(body_markdown="- عنصر أول\n- عنصر ثان\n\n1. פריט\n2. שני"))
    page = PdfReader(io.BytesIO(data)).pages[0]
    xs: list[float] = []

    def visit(text: str, cm: Any, tm: Any, *_: Any) -> None:
        if text.strip() in ("•", "."):  # "1." of an RTL list is drawn ".1"
            xs.append(float(tm[4]) + float(cm[4]))

    page.extract_text(visitor_text=visit)
    width = float(page.mediabox.width)
    # Two Arabic bullets and two Hebrew numbers, then the LTR "About this report" list.
    assert len(xs) >= 5, xs
    assert all(x > width * 0.7 for x in xs[:4]), (xs, width)
    assert xs[4] < width * 0.2


def test_long_rtl_code_line_wraps_in_reading_order() -> None:
    words = [f"מילה{n}" for n in range(40)]
    data = render_pdf(ReportContent(body_markdown="```\n" + " ".join(words) + "\n```"))
    lines = [ln for ln in drawn_lines(data, breaks=(b"T*", b"ET")) if "הלימ" in ln]
    assert len(lines) >= 2
    assert get_display(words[0]) in lines[0]
    assert get_display(words[-1]) in lines[-1]


def test_cjk_lines_never_start_with_closing_punctuation() -> None:
    text = "这是一个很长的句子，用来测试换行规则。" * 30 + "「括弧」と、句読点。" * 20
    data = render_pdf(ReportContent(body_markdown=text))
    lines = [ln for ln in drawn_lines(data, breaks=(b"T*", b"ET")) if "句" in ln]
    assert len(lines) > 5
    assert not [ln for ln in lines if ln[0] in NO_START]
    assert not [ln for ln in lines[:-1] if ln[-1] in NO_END]


def test_break_lines_keeps_punctuation_with_the_previous_character() -> None:
    fs = font_set()
    chars = [(c, fs.fallbacks[0], None) for c in "一二三四，五六"]
    width = sum(pdfmetrics.stringWidth(c, fs.fallbacks[0], 10) for c in "一二三四") + 0.1
    lines = break_lines(chars, width, 10)
    assert ["".join(c for c, _, _ in ln) for ln in lines] == ["一二三", "四，五六"]


def test_cjk_bold_is_visibly_bold() -> None:
    data = render_pdf(ReportContent(body_markdown="# 标题\n\n普通 **粗体** 文字"))
    content = _content(data)
    # The single-weight CJK font is drawn with fill+stroke where bold is asked for...
    bold = re.findall(rb"2 Tr [\d.]+ w (/F\d+)\+\d+", content)
    assert bold
    # ...and plain text returns to fill only.
    assert re.search(rb"0 Tr /F\d+\+\d+ [\d.]+ Tf", content)


def test_missing_noto_fonts_degrade_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(scriptfonts, "_find", lambda name: None)
    scriptfonts.family_font.cache_clear()
    fonts._resolve.cache_clear()
    fonts.resolve_char.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            data = render_pdf(ReportContent(body_markdown="हिन्दी ภาษาไทย مرحبا"))
        assert PdfReader(io.BytesIO(data)).pages
        assert "fonts-noto-core" in caplog.text
    finally:
        scriptfonts.family_font.cache_clear()
        fonts._resolve.cache_clear()
        fonts.resolve_char.cache_clear()


def test_previews_are_written_as_png() -> None:
    exe, out = preview_tools()
    for name in ("arabic", "devanagari", "thai", "chinese"):
        pdf = out / f"script-{name}.pdf"
        pdf.write_bytes(render_pdf(ReportContent(title=name, body_markdown=_doc(SAMPLES[name]))))
        subprocess.run([exe, "-png", "-r", "80", "-singlefile", str(pdf),
                        str(out / f"script-{name}")], check=True, timeout=60)
        png = out / f"script-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 5_000  # a real page, not a blank
