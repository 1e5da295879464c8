"""reportlab TrueType fonts adapted for the report: synthetic bold and better ToUnicode.

Two adaptations of reportlab internals, kept together so they are easy to revisit when
reportlab changes:

* :class:`DRFont` prefixes the PDF font-selection operator with a text render mode.
  Fonts with a single weight (WenQuanYi for CJK) get a *synthetic bold* twin that
  draws with "fill, then stroke" (``2 Tr``), so bold and headings stay visibly bold;
  every other font resets to plain fill (``0 Tr``) because the render mode is part of
  the PDF graphics state and would otherwise leak into the following text.
* The ToUnicode CMap writes UTF-16 targets (reportlab writes ``<%04X>``, which breaks
  characters above U+FFFF) and maps the private-use code points that shaping assigns
  to unencoded glyphs (ligatures, conjuncts, contextual forms) back to their text.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFont

# Stroke width (points) of synthetic bold: about 3 % of a 10.5 pt em, visible but not blotchy.
SYNTHETIC_BOLD_STROKE = 0.35
# face name (as in the PDF BaseFont, after the subset tag) -> {code point: source text}
GLYPH_TEXT: dict[str, dict[int, str]] = {}


class DRFont(TTFont):  # type: ignore[misc]  # reportlab is untyped (Any); subclassing is its API
    """A TTFont that sets the text render mode whenever its subsets are selected."""

    render_ops = "0 Tr "

    def __init__(self, *args: Any, synthetic_bold: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # pdfmetrics.getAscentDescent, asked for every word a line break takes, reads
        # font.ascent and falls back to the face's in an except clause: a TTFont has
        # none, so each call raised (5 % of a deep report's PDF). The face's numbers.
        self.ascent, self.descent = self.face.ascent, self.face.descent
        if synthetic_bold:
            self.render_ops = f"2 Tr {SYNTHETIC_BOLD_STROKE} w "
            # pdfmetrics.registerFont aliases fonts by face name: the twin needs its own.
            self.face.name += b"-SynBold"
        self._naming_objects = False

    def getSubsetInternalName(self, subset: int, doc: Any) -> str:  # noqa: N802 - reportlab API
        name: str = super().getSubsetInternalName(subset, doc)
        # addObjects uses the same call to name the font resource: keep that one clean.
        return name if self._naming_objects else self.render_ops + name

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab API
        self._naming_objects = True
        try:
            super().addObjects(doc)
        finally:
            self._naming_objects = False


def face_key(font: TTFont) -> str:
    """The face part of a font's PDF BaseFont name, as passed to the ToUnicode writer."""
    return str((font.face.name + font.face.subfontNameX).decode("pdfdoc"))


def _target(fontname: str, code: int) -> str:
    texts = GLYPH_TEXT.get(fontname.split("+", 1)[-1])
    return (texts.get(code) if texts else None) or chr(code)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ToUnicode CMap whose targets are UTF-16BE, as the PDF spec requires."""
    entries = [f"<{i:02X}> <{_target(fontname, v).encode('utf-16-be', 'replace').hex().upper()}>"
               for i, v in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *entries, "endbfchar", "endcmap",
        "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


# reportlab looks the helper up as a module global when it writes each font subset.
ttfonts.makeToUnicodeCMap = _to_unicode_cmap
