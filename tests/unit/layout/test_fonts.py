"""Unicode coverage: glyphs embedded for every script family, RTL in visual order."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator

import pytest
from bidi import get_display
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from durable_research.contract.report import ReportContent
from durable_research.layout.bidi import visual_order
from durable_research.layout.fonts import REPLACEMENT, font_set, has_glyph, resolve_char
from durable_research.layout.pdf import render_pdf
from tests.support.pdftools import drawn_lines, pdf_dict

SCRIPTS = {
    "latin": "Zoë façade naïve Œuvre ß",
    "greek": "Ελληνικά γράμματα",
    "cyrillic": "Кириллица Привет",
    "cjk": "中文字符 日本語のかな 한국어",
    "arabic": "مرحبا بالعالم",
    "hebrew": "שלום עולם",
    "emoji": "😀 ☕ ✓",
}


def font_runs(text: str, primary: str) -> Iterator[tuple[str, str]]:
    """Split ``text`` into ``(font_name, text)`` runs so each char uses a font that has it."""
    cur_font = ""
    buf: list[str] = []
    for ch in text:
        res = resolve_char(primary, ch)
        if res is None:
            continue
        font, drawn = res
        if font != cur_font and buf:
            yield cur_font, "".join(buf)
            buf = []
        cur_font = font
        buf.append(drawn)
    if buf:
        yield cur_font, "".join(buf)


def _embedded(data: bytes) -> dict[str, bool]:
    """Map each drawn char to whether its embedded glyph has an outline (not .notdef)."""
    reader = PdfReader(io.BytesIO(data))
    seen: dict[str, bool] = {}
    for page in reader.pages:
        for ref in pdf_dict(pdf_dict(page["/Resources"])["/Font"]).values():
            font = ref.get_object()
            if "/FontDescriptor" not in font:
                continue
            raw = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            tt = TTFont(io.BytesIO(raw))
            code_to_glyph = tt["cmap"].getcmap(1, 0).cmap  # reportlab writes a (1,0) cmap
            order = tt.getGlyphOrder()
            tounicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for code, uni in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4,})>", tounicode):
                ch = bytes.fromhex(uni).decode("utf-16-be")
                name = code_to_glyph.get(int(code, 16), ".notdef")
                ok = name != order[0] and (ch.isspace() or tt["glyf"][name].numberOfContours != 0)
                # Arabic is drawn as presentation forms; count them for their base letters.
                for key in {ch, *unicodedata.normalize("NFKC", ch)}:
                    seen[key] = seen.get(key, False) or ok
    return seen


@pytest.mark.parametrize("family", sorted(SCRIPTS))
def test_script_glyphs_are_embedded(family: str) -> None:
    text = SCRIPTS[family]
    data = render_pdf(ReportContent(title=family, body_markdown=text))
    glyphs = _embedded(data)
    for ch in set(text) - {" "}:
        if ch not in glyphs and family == "emoji":
            # Emoji newer than the installed fonts must show a visible replacement.
            assert glyphs.get(REPLACEMENT), f"{ch!r} neither drawn nor replaced"
            continue
        assert glyphs.get(ch), (
            f"{family}: {ch!r} (U+{ord(ch):04X}) has no embedded glyph; "
            "install fonts-dejavu-core fonts-wqy-microhei fonts-symbola"
        )
    extracted = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(data)).pages[0].extract_text())
    for word in text.split():
        if family not in ("arabic", "hebrew"):  # RTL is checked in visual order below
            assert word in extracted


def test_unknown_characters_get_a_visible_replacement() -> None:
    fs = font_set()
    # U+10FFFD is a private-use code point no font here has; U+200E is invisible by design.
    runs = list(font_runs("a\U0010fffdb\u200ec", fs.regular))
    assert "".join(t for _, t in runs) == f"a{REPLACEMENT}bc"
    assert all(has_glyph(font, ch) for font, t in runs for ch in t)


def test_joiners_are_kept_for_shaping() -> None:
    # ZWNJ in Persian "می‌خواهم" keeps the two parts unjoined; HarfBuzz hides it.
    text = "".join(t for _, t in font_runs("می\u200cخواهم", font_set().regular))
    assert "\u200c" in text


def _drawn_lines(data: bytes) -> list[str]:
    # Only T* and ET end a line here: RTL runs are positioned with Td inside a line.
    return drawn_lines(data, breaks=(b"T*", b"ET"))


@pytest.mark.parametrize(
    "logical",
    [
        "שלום עולם, זו פסקה בעברית עם המילה English והמספר 2024",
        "مرحبا بالعالم هذا نص عربي مع رقم 123",
        "Mixed: English then עברית כאן and back",
    ],
)
def test_rtl_is_drawn_in_visual_order(logical: str) -> None:
    data = render_pdf(ReportContent(body_markdown=logical))
    lines = [unicodedata.normalize("NFKC", ln) for ln in _drawn_lines(data)]
    expected = get_display(logical)
    assert expected in lines, f"{expected!r} not among drawn lines {lines}"
    assert expected != logical  # the test really exercises reordering


def test_rtl_paragraph_wraps_first_logical_words_on_first_line() -> None:
    words = [f"מילה{n}" for n in range(60)]
    data = render_pdf(ReportContent(body_markdown=" ".join(words)))
    lines = [ln for ln in _drawn_lines(data) if "הלימ" in ln]  # "מילה" drawn RTL
    assert len(lines) >= 3
    # UAX #9 reorders after line breaking: the first line holds the first words,
    # drawn right to left (so the first word is at the right end).
    assert lines[0].endswith(get_display(words[0]))
    assert get_display(words[-1]) in lines[-1]


def test_visual_order_mirrors_brackets() -> None:
    order, mirrored = visual_order("שלום (עולם)", True)
    assert "".join(mirrored[i] for i in order) == "(םלוע) םולש"
