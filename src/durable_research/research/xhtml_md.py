"""An EPUB chapter's XHTML as Markdown: headings, paragraphs, list items, tables, code.

Chapters have no navigation or adverts to strip, so the web pages' extraction
(trafilatura, which looks for a page's main content) is not needed, and it flattened a
short chapter's heading and table into one line of prose. This walk keeps each block
as what it is, with lxml's lenient HTML parser (namespaces, entities and broken markup
are all just text to it; nothing is fetched).
"""

from __future__ import annotations

from lxml import html as lxml_html
from lxml.etree import ParserError

from durable_research.research.mdtable import markdown_table

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Blocks that are written whole; anything inside one is part of it.
_WHOLE = {*_HEADINGS, "p", "li", "pre", "table", "dt", "dd", "figcaption", "caption"}
_CONTAINERS = {"div", "section", "article", "blockquote", "aside", "header", "footer"}
_DROP = ("script", "style", "noscript", "template", "head")


_BREAKS = {*_WHOLE, *_CONTAINERS, "ul", "ol", "dl", "tr", "td", "th", "br", "hr"}


def _line(text: str) -> str:
    return " ".join(text.split())


def _text(el: lxml_html.HtmlElement) -> str:
    """The text of ``el`` on one line, a space where a block inside it begins or ends
    (``<li><p>One</p><ul><li>two`` reads "One two", ``<b>wa</b>ter`` "water")."""
    parts = [el.text or ""]
    for child in el:
        gap = " " if isinstance(child.tag, str) and child.tag in _BREAKS else ""
        parts += [gap, _text(child), gap, child.tail or ""]
    return _line("".join(parts))


def _block(el: lxml_html.HtmlElement, tag: str) -> str:
    if tag in _HEADINGS:
        text = _text(el)
        return f"{'#' * _HEADINGS[tag]} {text}" if text else ""
    if tag == "li":
        text = _text(el)
        return f"- {text}" if text else ""
    if tag == "pre":
        code = el.text_content().strip("\n")
        fence = "~~~" if "```" in code else "```"
        return f"{fence}\n{code}\n{fence}" if code.strip() else ""
    if tag == "table":
        return markdown_table([[_text(c) for c in row.iter("td", "th")]
                               for row in el.iter("tr")])
    return _text(el)


def xhtml_markdown(markup: bytes) -> str:
    """The blocks of one XHTML document as Markdown, in document order."""
    try:
        root = lxml_html.document_fromstring(markup)
    except (ParserError, ValueError):
        return ""
    for bad in list(root.iter(*_DROP)):
        bad.drop_tree()
    out: list[str] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _WHOLE and not (
                tag in _CONTAINERS and _line(el.text or "")):  # text right in a container
            continue
        if any(isinstance(a.tag, str) and a.tag in _WHOLE for a in el.iterancestors()):
            continue  # written with its block
        if tag in _CONTAINERS:
            out.append(_line(el.text or ""))
        else:
            out.append(_block(el, tag))
    return "\n\n".join(block for block in out if block)
