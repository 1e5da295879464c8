"""The logical text of shaped glyphs, for search and copy: PDF ``/ActualText`` spans.

A shaped word is drawn as glyphs in *visual* order: Devanagari's i-matra before its
consonant, conjuncts and Arabic joining forms as glyphs with no code point of their
own, Arabic right to left with each haraka a separate raised glyph. The fonts'
ToUnicode maps (:mod:`pdffont`) give each glyph its characters, but an extractor then
reads them in drawn order: "परिचय" came out as "पिरचय", "مَرْحَبًا" in pieces.

So each shaped segment (one font, one direction: see :mod:`shaping`) is drawn inside
a marked-content sequence, ``/Span << /ActualText <FEFF...> >> BDC ... EMC`` (ISO
32000-1, 14.9.4), whose ActualText replaces the glyphs' text for extractors that read
it (poppler: ``pdftotext``, Evince, Okular; Acrobat). pypdf ignores ActualText and
still reads the ToUnicode maps. Text that needs no shaping (Latin, CJK...) gets no
span: its glyphs are its characters already.

Left to right, the ActualText is the segment's source text as typed. Right to left,
it is that text *reversed*, in drawn order: extractors take the text of a line as
drawn, left to right, and reverse its right-to-left runs themselves (visual to
logical order), and poppler does so to ActualText too. Measured with pdftotext 22.12:
the logical text came out reversed ("اًبَحْرَم"), the reversed text as typed, harakat
after their letters. (A haraka ending the leftmost word of a right-to-left run still
lands in front of the run when the page is mostly left-to-right: poppler's reordering
takes marks at a run's edge for left-to-right text; it does the same without spans.)
For the same reason :mod:`shaping` draws each right-to-left letter before its marks:
a span starting on a raised mark made poppler read it as a line of its own.

The span travels on the glyphs themselves: reportlab joins and slices the shaped
strings of a line (``ShapedStr`` ``+`` and ``[a:b]``) and keeps each glyph's
``ShapeData``. :func:`format_text` wraps reportlab's text writer and puts a span
around each run of glyphs that carries one, but only when the run is the whole
segment: a segment cut in two (a word split across lines) keeps the ToUnicode text
rather than repeating its ActualText on both lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr
from reportlab.pdfgen.textobject import PDFTextObject


@dataclass(frozen=True, eq=False)  # identity: two equal words are two spans
class Span:
    """One shaped segment: its source text and how many glyphs draw it."""

    text: str
    glyphs: int


class SpanShapeData(ShapeData):  # type: ignore[misc]  # reportlab is untyped (Any)
    """reportlab's per-glyph shape data, plus the span the glyph belongs to."""

    span: Span


def with_span(data: list[ShapeData], text: str, rtl: bool) -> list[ShapeData]:
    """``data`` (one segment's glyphs) tagged with one span of source ``text``.

    Right-to-left text is given in drawn order (``text`` reversed): see the module's
    docstring for why.
    """
    span = Span(text[::-1] if rtl else text, len(data))
    out: list[ShapeData] = []
    for sd in data:
        tagged = SpanShapeData(*sd)
        tagged.span = span
        out.append(tagged)
    return out


def _span(sd: ShapeData) -> Span | None:
    return sd.span if isinstance(sd, SpanShapeData) else None


def begin_span(text: str) -> str:
    """The operator that opens a span of ``text`` (a UTF-16BE string with a BOM)."""
    return f"/Span << /ActualText <FEFF{text.encode('utf-16-be').hex().upper()}> >> BDC"


_rl_format_text = PDFTextObject._formatText  # noqa: SLF001 - the writer we wrap


def format_text(self: PDFTextObject, text: str) -> str:
    """reportlab's text operators for ``text``, spans around whole shaped segments."""
    data = text.__shapeData__ if isinstance(text, ShapedStr) else None
    if not data or not any(isinstance(sd, SpanShapeData) for sd in data):
        return str(_rl_format_text(self, text))
    parts: list[str] = []
    pos = 0
    for span, group in groupby(data, key=_span):
        end = pos + len(list(group))
        code = str(_rl_format_text(self, text[pos:end]))
        if span is not None and end - pos == span.glyphs and code:
            code = f"{begin_span(span.text)} {code} EMC"
        parts.append(code)
        pos = end
    return " ".join(p for p in parts if p)


# reportlab's paragraphs and canvas write all text through this method of the text object.
PDFTextObject._formatText = format_text  # noqa: SLF001 - patching reportlab, as shaping does
