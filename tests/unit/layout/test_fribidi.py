"""FriBidi's levels put a line in the same visual order as python-bidi's Rust core."""

from __future__ import annotations

import ctypes

import pytest
from bidi import get_display
from bidi.mirror import MIRRORED
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_research.errors import ConfigError
from durable_research.layout import fribidi
from durable_research.layout.bidi import visual_order

# Latin, Hebrew, Arabic, Arabic-Indic digits, European digits, brackets, separators, marks.
MIXED = st.text(alphabet="abc XYZ 123,.-:()[]<>!?אבגדהعربي٣۴$%#\u200e\u200f\u05be", max_size=40)


@settings(max_examples=400, deadline=None)
@given(MIXED, st.booleans())
def test_visual_order_matches_python_bidi(text: str, rtl: bool) -> None:
    order, _ = visual_order(text, rtl)
    # The order only: get_display (0.6) leaves brackets unmirrored ("א(ב)" -> ")ב(א"); we
    # mirror them in right-to-left runs (rule L4, checked in test_fonts).
    unmirrored = str.maketrans({c: min(c, m) for c, m in MIRRORED.items()})
    ours = "".join(text[i] for i in order).translate(unmirrored)
    assert ours == get_display(text, base_dir="R" if rtl else "L").translate(unmirrored)


def test_levels_of_a_mixed_line() -> None:
    # In a right-to-left paragraph: Latin at level 2, Hebrew and the brackets around a
    # number at 1, the number itself at 2 (rules W, N0, I).
    assert fribidi.embedding_levels("abc אבג (1)", True) == [2, 2, 2, 1, 1, 1, 1, 1, 1, 2, 1]
    assert fribidi.embedding_levels("", False) == []


def test_a_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    fribidi._library.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", missing)
    try:
        with pytest.raises(ConfigError, match="FriBidi") as caught:
            fribidi.embedding_levels("שלום", True)
        assert "libfribidi0" in caught.value.hint
    finally:
        fribidi._library.cache_clear()
