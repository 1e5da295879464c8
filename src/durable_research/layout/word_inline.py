"""Inline spans of the document model as Word runs: bold, italic, code, links, citations.

A link becomes a ``w:hyperlink`` around its runs (external by relationship, internal
to a bookmark); a citation ``2`` links to reference 2's entry, a ``[^n]`` mark is a
superscript link to note ``n``. Each run is cut where the text changes direction, so
right-to-left words carry ``w:rtl`` and the rest does not (:func:`word_xml.direction_runs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from docx.document import Document as WordDocument
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from durable_research.document.render import (
    DISPUTED_LABEL,
    CheckMark,
    Citation,
    Code,
    Emphasis,
    FootnoteRef,
    Inline,
    LineBreak,
    Link,
    Strike,
    Strong,
    Text,
    footnote_anchor,
    ref_anchor,
)
from durable_research.layout.mdsafe import is_safe_href
from durable_research.layout.word_xml import add_link, direction_runs, set_language, xml_text

CODE_FONT = "Liberation Mono"
_LINK = RGBColor(0x1A, 0x4F, 0x9C)
_CHECK_COLORS = {DISPUTED_LABEL: RGBColor(0xAA, 0x33, 0x33)}
_CHECK_GREY = RGBColor(0x77, 0x77, 0x77)


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    link: bool = False
    superscript: bool = False
    small: bool = False
    color: RGBColor | None = None


@dataclass
class InlineWriter:
    """Writes spans into paragraphs of one document (and numbers its bookmarks)."""

    doc: WordDocument
    _ids: int = 0

    def next_id(self) -> int:
        """A new bookmark id (unique in the document)."""
        self._ids += 1
        return self._ids

    @staticmethod
    def clean(text: str) -> str:
        """``text`` as a run may hold it (see :func:`word_xml.xml_text`)."""
        return xml_text(text)

    def write(self, p: WordParagraph, inlines: Sequence[Inline], bold: bool = False) -> None:
        """Append ``inlines`` to ``p``."""
        self._spans(p, inlines, _Style(bold=bold), None)

    def _spans(self, p: WordParagraph, inlines: Sequence[Inline], st: _Style,
               link: BaseOxmlElement | None) -> None:
        for it in inlines:
            if isinstance(it, Text):
                self._text(p, it.text, st, link)
            elif isinstance(it, Code):
                self._text(p, it.text, replace(st, code=True), link)
            elif isinstance(it, LineBreak):
                self._text(p, "\n", st, link)
            elif isinstance(it, Strong):
                self._spans(p, it.children, replace(st, bold=True), link)
            elif isinstance(it, Emphasis):
                self._spans(p, it.children, replace(st, italic=True), link)
            elif isinstance(it, Strike):
                self._spans(p, it.children, replace(st, strike=True), link)
            elif isinstance(it, Link):
                self._link(p, it, st, link)
            elif isinstance(it, Citation):
                target = link if link is not None else add_link(p, anchor=ref_anchor(it.n))
                self._text(p, str(it.n), replace(st, link=True), target)
            elif isinstance(it, CheckMark):
                color = _CHECK_COLORS.get(it.label, _CHECK_GREY)
                self._text(p, it.label, replace(st, italic=True, small=True, color=color,
                                                bold=st.bold or it.label == DISPUTED_LABEL),
                           link)
            elif isinstance(it, FootnoteRef):
                target = link if link is not None else add_link(p, anchor=footnote_anchor(it.n))
                self._text(p, str(it.n), replace(st, superscript=True, link=True), target)

    def _link(self, p: WordParagraph, it: Link, st: _Style,
              outer: BaseOxmlElement | None) -> None:
        href = it.href if is_safe_href(it.href) else ""
        if outer is not None or not href:  # no link in a link; an unsafe one is text
            self._spans(p, it.children, st, outer)
            return
        # After link_anchors every "#x" names an anchor of the document.
        target = (add_link(p, anchor=href[1:]) if href.startswith("#")
                  else add_link(p, url=href))
        self._spans(p, it.children, replace(st, link=True), target)

    def _text(self, p: WordParagraph, text: str, st: _Style,
              link: BaseOxmlElement | None) -> None:
        text = xml_text(text)
        for segment, rtl in direction_runs(text):
            run = p.add_run(segment)  # "\n" becomes a line break, "\t" a tab
            font = run.font
            if st.bold:
                font.bold = font.cs_bold = True
            if st.italic:
                font.italic = font.cs_italic = True
            if st.strike:
                font.strike = True
            if st.code:
                font.name = CODE_FONT
            if st.superscript:
                font.superscript = True
            if st.small:
                font.size = Pt(8)
            if st.link:
                font.underline = True
                font.color.rgb = _LINK
            elif st.color is not None:
                font.color.rgb = st.color
            set_language(run, segment, rtl)
            if link is not None:
                link.append(run._r)  # noqa: SLF001 - moved into the hyperlink element
