"""The PDF layout's shortcuts do less work and give the same result as the long way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib import colors
from reportlab.lib.colors import toColor
from reportlab.platypus import Paragraph as RLParagraph

from durable_research.layout import fonts, scriptfonts, tables
from durable_research.layout.fonts import font_set, has_glyph, resolve_char
from durable_research.layout.inline import (
    CODE_BG,
    LINK_COLOR,
    NOTE_COLOR,
    Run,
    RunStyle,
    each_char,
    group_markup,
    needs_manual_wrap,
    runs_markup,
    styled_chars,
    styled_chunks,
)
from durable_research.layout.paragraphs import Paragraph, make_styles

TEXT = " ".join(f"word{i} and some more text to fill the line" for i in range(30))


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the widths reportlab breaks a paragraph's lines at."""
    calls: list[float] = []
    real = RLParagraph.breakLines

    def counted(self: RLParagraph, width: list[float]) -> object:
        calls.append(width[0])
        return real(self, width)

    monkeypatch.setattr(RLParagraph, "breakLines", counted)
    return calls


def test_a_paragraph_breaks_its_lines_once_per_width(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    style = make_styles(font_set()).body
    para = Paragraph(TEXT, style)
    plain = RLParagraph(TEXT, style)
    first = para.wrap(300, 500)
    assert para.wrap(300, 80) == first == plain.wrap(300, 500)  # the height asked: no matter
    assert calls == [300, 300]  # one for ours (its second wrap re-used the lines), one plain
    assert para.wrap(200, 500) == plain.wrap(200, 500) != first
    assert para.wrap(300, 500) == first
    assert calls == [300, 300, 200, 200, 300]


def test_a_paragraph_breaks_again_once_split_dropped_its_lines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    para = Paragraph(TEXT, make_styles(font_set()).body)
    para.wrap(300, 500)
    assert para.split(300, 10) == []  # no room for two lines: it moves to the next frame
    assert not hasattr(para, "blPara")
    para.wrap(300, 500)
    assert calls == [300, 300]
    assert para.split(300, 40)  # and splits from its new lines


@pytest.mark.parametrize("text", [TEXT, "line one\nline two", "tab\there", "bell\x07"])
def test_ascii_text_resolves_as_char_by_char(text: str) -> None:
    fs = font_set()
    style = RunStyle(bold=True)
    expected = []
    for ch in text:
        res = (fs.bold, ch) if ch == "\n" else resolve_char(fs.bold, ch)
        if res is not None:
            expected.append((res[1], res[0], style))
    assert styled_chars([(text, style)], fs) == expected


@pytest.mark.parametrize(("text", "manual"), [
    (TEXT, False), ("שלום world", True), ("漢字 text", True), ("ภาษาไทย", True), ("café", False),
])
def test_only_rtl_cjk_and_thai_are_wrapped_by_hand(text: str, manual: bool) -> None:
    assert needs_manual_wrap([(text, RunStyle())]) is manual


def test_a_char_the_bold_face_has_makes_no_bold_twin_of_a_fallback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A twin is a fallback font file parsed again (WenQuanYi: 5 MB, Symbola: 3 MB): 0.1 s
    # of a worker's first report when its title's first letter was resolved in bold.
    fs = font_set()
    made: list[str] = []
    real = scriptfonts.synthetic_bold

    def recording(path: str) -> str | None:
        made.append(path)
        return real(path)

    monkeypatch.setattr(fonts, "synthetic_bold", recording)
    resolve = fonts._resolve.__wrapped__  # the cached one may have resolved it already
    assert resolve(fs.bold, "A") == (fs.bold, "A")
    assert made == []
    if fs.fallbacks:  # a char only a fallback has is drawn by a bold twin, as before
        missing = next(chr(c) for c in range(0x2600, 0x2700) if not has_glyph(fs.bold, chr(c))
                       and not has_glyph(fs.regular, chr(c)))
        name, drawn = resolve(fs.bold, missing)
        assert drawn == missing and name.startswith("DR-SynBold-") and made


def _frags(markup: str, style: object) -> list[dict[str, object]]:
    # What reportlab parsed, but the name of the tag each fragment came from.
    return [{k: v for k, v in vars(f).items() if k != "__tag__"}
            for f in RLParagraph(markup, style).frags]


def test_text_in_the_paragraphs_font_has_no_face_and_parses_the_same() -> None:
    fs = font_set()
    styles = make_styles(fs)
    runs = [("see [", RunStyle()), ("1", RunStyle(href="#ref-1")), ("] and ", RunStyle()),
            ("bold", RunStyle(bold=True)), (" code", RunStyle(code=True)),
            (" 中文 ☕ ", RunStyle()), ("[disputed]", RunStyle(italic=True, note=True)),
            ("\nsmall", RunStyle(sup=True)), (" gone", RunStyle(strike=True))]
    for style in (styles.body, styles.headings[1], styles.cell):
        short, long = runs_markup(runs, fs, style.fontName), runs_markup(runs, fs)
        assert f'face="{style.fontName}"' in long and f'face="{style.fontName}"' not in short
        assert _frags(short, style) == _frags(long, style)


def test_text_drawn_as_it_is_stays_in_one_piece_per_line() -> None:
    fs = font_set()
    bold, link = RunStyle(bold=True), RunStyle(href="#ref-1")
    assert styled_chunks([("two\nlines\n", bold), ("1", link), ("", bold)], fs) == [
        ("two", fs.bold, bold), ("\n", fs.bold, bold), ("lines", fs.bold, bold),
        ("\n", fs.bold, bold), ("1", fs.regular, link)]


RUNS = st.lists(st.tuples(
    st.one_of(st.sampled_from(["plain text ", "a\nb", "\n", "", " [1] ", "<&>", "x\u200d",
                               "e\u0301", "中文", "שלום", "😀", "\x07", "\ufe0f", "\t"]),
              st.text(max_size=12)),
    st.builds(RunStyle, bold=st.booleans(), italic=st.booleans(), code=st.booleans(),
              href=st.sampled_from([None, "#ref-1", "https://x.org"]), note=st.booleans())),
    max_size=8)


@settings(max_examples=200, deadline=None, database=None)
@given(runs=RUNS)
def test_pieces_give_the_markup_and_the_chars_char_by_char_did(runs: list[Run]) -> None:
    fs = font_set()
    chars = [(ch, font, style) for text, font, style in styled_chunks(runs, fs) for ch in text]
    assert chars == styled_chars(runs, fs) == _char_by_char(runs)
    for plain in ("", fs.regular):
        assert runs_markup(runs, fs, plain) == group_markup(chars, plain)


def _char_by_char(runs: list[Run]) -> list[tuple[str, str, RunStyle]]:
    """The resolution styled_chars' shortcut stands for: every char on its own."""
    fs = font_set()
    out: list[tuple[str, str, RunStyle]] = []
    for text, style in runs:
        each_char(text, fs.primary(style.bold, style.italic, style.code), style, out)
    return out


@pytest.mark.parametrize("value", [LINK_COLOR, CODE_BG, NOTE_COLOR])
def test_the_colours_of_our_tags_are_parsed_once(value: str) -> None:
    # reportlab parsed "#rrggbb" anew for every tag, after failing three other readings.
    parsed = toColor(value)
    assert parsed is toColor(value)
    assert parsed == colors.HexColor(value)
    assert vars(parsed) == vars(colors.HexColor(value))



@settings(max_examples=200, deadline=None, database=None)
@given(runs=RUNS)
def test_table_text_measures_as_char_by_char(runs: list[Run]) -> None:
    fs = font_set()
    assert tables.measure(runs, fs, 9.5) == tables.measure_chars(styled_chars(runs, fs), 9.5)


def test_ascii_table_text_is_not_measured_char_by_char(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    is_break = tables._is_break  # counting the char-by-char loop's questions

    def counted(ch: str) -> bool:
        calls.append(ch)
        return is_break(ch)

    monkeypatch.setattr(tables, "_is_break", counted)
    runs = [("see [", RunStyle()), ("1", RunStyle(href="#ref-1")), ("] a\nlong line", RunStyle())]
    fs = font_set()
    expected = tables.measure_chars(styled_chars(runs, fs), 9.5)
    assert calls  # the char-by-char loop asks at every char
    calls.clear()
    assert tables.measure(runs, fs, 9.5) == expected
    assert calls == []
