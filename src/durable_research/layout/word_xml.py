"""The WordprocessingML python-docx has no API for: links, bookmarks, bidi, languages, shading.

Each helper adds one element where the schema wants it (``insert_element_before`` with
the elements that must follow it: Word refuses a file whose ``w:pPr`` children are out
of order). Text is cleaned of what XML 1.0 cannot hold (python-docx raises on a NUL or
an ESC from a web page).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from durable_research.layout.direction import RTL_CLASSES

# C0 controls but tab and newline, and the two non-characters XML 1.0 excludes.
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9]+")
# The w:pPr children that come after w:bidi, w:pBdr and w:shd (ECMA-376 CT_PPrBase).
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
               "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
               "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_SHD = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
              "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", *_AFTER_BIDI)
_AFTER_PBDR = ("w:shd", *_AFTER_SHD)
# The w:tblPr children after w:bidiVisual.
_AFTER_BIDI_VISUAL = ("w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc",
                      "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                      "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
# The w:rPr children after w:lang.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
# Complex-script languages by script (w:lang/@w:bidi: Word picks shaping, spelling and
# digits by it; "ar-SA" for every Arabic-script text, Persian and Urdu included).
_CS_LANGS: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "he-IL"), (0x0600, 0x06FF, "ar-SA"), (0x0700, 0x074F, "syr-SY"),
    (0x0750, 0x077F, "ar-SA"), (0x0780, 0x07BF, "dv-MV"), (0x0860, 0x08FF, "ar-SA"),
    (0x0900, 0x097F, "hi-IN"), (0x0980, 0x09FF, "bn-IN"), (0x0A00, 0x0A7F, "pa-IN"),
    (0x0A80, 0x0AFF, "gu-IN"), (0x0B00, 0x0B7F, "or-IN"), (0x0B80, 0x0BFF, "ta-IN"),
    (0x0C00, 0x0C7F, "te-IN"), (0x0C80, 0x0CFF, "kn-IN"), (0x0D00, 0x0D7F, "ml-IN"),
    (0x0D80, 0x0DFF, "si-LK"), (0x0E00, 0x0E7F, "th-TH"), (0x0E80, 0x0EFF, "lo-LA"),
    (0x0F00, 0x0FFF, "bo-CN"), (0x1000, 0x109F, "my-MM"), (0x1780, 0x17FF, "km-KH"),
    (0xFB1D, 0xFB4F, "he-IL"), (0xFB50, 0xFDFF, "ar-SA"), (0xFE70, 0xFEFF, "ar-SA"),
)
_CS_STARTS = [r[0] for r in _CS_LANGS]


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for a document anchor (``ref-2``, a heading's slug).

    Word wants at most 40 characters of letters, digits and ``_``; a leading ``_`` hides
    the bookmark from Word's bookmark list (as its own ``_Toc`` ones). The hash keeps
    two anchors that clean to the same text apart.
    """
    digest = hashlib.sha256(anchor.encode("utf-8", "replace")).hexdigest()[:8]
    return f"_dr_{_NAME_CHARS.sub('_', anchor)[:24]}_{digest}"


def add_bookmark(paragraph: Paragraph, anchor: str, number: int) -> None:
    """Make the whole of ``paragraph`` the target of links to ``anchor``."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), bookmark_name(anchor))
    end.set(qn("w:id"), str(number))
    p = paragraph._p  # noqa: SLF001 - python-docx's element, the documented way to extend
    p.insert(1 if p.pPr is not None else 0, start)
    p.append(end)


def add_link(paragraph: Paragraph, url: str = "", anchor: str = "") -> BaseOxmlElement:
    """An empty ``w:hyperlink`` at the end of ``paragraph``: to ``url`` (external), or to
    the bookmark of ``anchor``. The caller moves runs into it."""
    link = OxmlElement("w:hyperlink")
    if url:
        rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rid)
    else:
        link.set(qn("w:anchor"), bookmark_name(anchor))
    paragraph._p.append(link)  # noqa: SLF001 - as above
    return link


def set_bidi(paragraph: Paragraph) -> None:
    """Mark ``paragraph`` right-to-left: Word and LibreOffice start it at the right."""
    ppr = paragraph._p.get_or_add_pPr()  # noqa: SLF001 - as above
    if ppr.find(qn("w:bidi")) is None:
        ppr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)


def set_table_bidi(tbl: CT_Tbl) -> None:
    """Lay the table's columns out right to left (the first column at the right)."""
    tbl.tblPr.insert_element_before(OxmlElement("w:bidiVisual"), *_AFTER_BIDI_VISUAL)


def shade(paragraph: Paragraph, fill: str) -> None:
    """A background colour (hex ``RRGGBB``) behind the paragraph."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    paragraph._p.get_or_add_pPr().insert_element_before(shd, *_AFTER_SHD)  # noqa: SLF001


def shade_cell(tc: CT_Tc, fill: str) -> None:
    """A background colour behind a table cell (``w:tcPr/w:shd``)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shd)


def border(paragraph: Paragraph, side: str, color: str, size: int = 6) -> None:
    """A line on one ``side`` (``top``, ``left``, ``bottom``...) of the paragraph."""
    ppr = paragraph._p.get_or_add_pPr()  # noqa: SLF001 - as above
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_PBDR)
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "4"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def direction_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut where its strong direction changes: ``(segment, right_to_left)``.

    Neutral characters (spaces, digits, punctuation) stay with the segment before them,
    so a Hebrew phrase and its comma make one right-to-left run.
    """
    out: list[tuple[str, bool]] = []
    for ch in text:
        cls = unicodedata.bidirectional(ch)
        rtl = cls in RTL_CLASSES if cls in RTL_CLASSES or cls == "L" else None
        if out and (rtl is None or rtl == out[-1][1]):
            out[-1] = (out[-1][0] + ch, out[-1][1])
        else:
            out.append((ch, bool(rtl)))
    return out


def _east_asian(text: str) -> str:
    """The East Asian language of ``text`` ("" if none): kana Japanese, Hangul Korean."""
    kinds = {unicodedata.name(ch, "").split(" ")[0] for ch in text if ord(ch) >= 0x1100}
    if kinds & {"HIRAGANA", "KATAKANA"}:
        return "ja-JP"
    if "HANGUL" in kinds:
        return "ko-KR"
    return "zh-CN" if "CJK" in kinds else ""


def complex_language(text: str) -> str:
    """The complex-script language of the first such character of ``text`` ("" if none)."""
    for ch in text:
        cp = ord(ch)
        i = bisect.bisect_right(_CS_STARTS, cp) - 1
        if i >= 0 and cp <= _CS_LANGS[i][1]:
            return _CS_LANGS[i][2]
    return ""


def set_language(run: Run, text: str, rtl: bool) -> None:
    """Tell Word which script ``run`` holds: ``w:rtl`` for right-to-left text, ``w:lang``
    for complex scripts (Arabic, Hebrew, Indic, Thai...) and East Asian ones."""
    bidi, east = complex_language(text), _east_asian(text)
    if rtl:
        run.font.rtl = True
    if not (bidi or east):
        return
    lang = OxmlElement("w:lang")
    if bidi:
        lang.set(qn("w:bidi"), bidi)
    if east:
        lang.set(qn("w:eastAsia"), east)
    run._r.get_or_add_rPr().insert_element_before(lang, *_AFTER_LANG)  # noqa: SLF001
