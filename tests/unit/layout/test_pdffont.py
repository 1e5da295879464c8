"""The report's TrueType fonts answer reportlab's questions the cheap way, with the same
numbers."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

from durable_research.layout.fonts import font_set


def test_fonts_give_their_faces_ascent_and_descent_without_a_fallback() -> None:
    fs = font_set()
    for name in (fs.regular, fs.bold, fs.italic, fs.mono, *fs.fallbacks):
        font = pdfmetrics.getFont(name)
        # The attributes getAscentDescent reads first (else it raised and used the face's).
        assert (font.ascent, font.descent) == (font.face.ascent, font.face.descent)
        assert pdfmetrics.getAscentDescent(name, 10.0) == (
            font.face.ascent * 0.01, font.face.descent * 0.01)
