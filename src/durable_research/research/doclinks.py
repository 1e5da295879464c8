"""Links between the documents of a local collection: which document a page links to.

A careful researcher follows the links of the pages they read: documentation links the
page that answers a question to the pages it builds on ("see expression indexes", "open
it with a URI filename"). Saved HTML pages keep their ``<a href>``s and Markdown files
their ``[text](target)`` links; this module reads them (once, at ingest) and resolves
them to the collection's document names. Pure functions, no I/O.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt

HTML = "text/html"
MARKDOWN = "text/markdown"
# Enough for a documentation page's body links; a site map's thousand are not evidence.
MAX_LINKS = 200
_MD = MarkdownIt("commonmark")


def _relative(href: str) -> str | None:
    """``href``'s path when it points at a local file (no scheme, no host), else None."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def raw_links(body: bytes, mime: str) -> list[str]:
    """The relative link targets of an HTML or Markdown document, in order, without
    fragments, queries or repeats (other types have none: [])."""
    found: list[str] = []
    if mime == HTML:
        try:
            hrefs: Iterable[str] = (link for element, attribute, link, _pos
                                    in lxml.html.fromstring(body).iterlinks()
                                    if element.tag == "a" and attribute == "href")
        except (ValueError, etree.ParserError):
            return []
    elif mime == MARKDOWN:
        tokens = _MD.parse(body.decode("utf-8", errors="replace"))
        hrefs = (str(child.attrs.get("href", "")) for token in tokens
                 for child in token.children or [] if child.type == "link_open")
    else:
        return []
    for href in hrefs:
        path = _relative(href)
        if path and path not in found:
            found.append(path)
            if len(found) == MAX_LINKS:
                break
    return found


def _stem(name: str) -> str:
    """A name without its file suffix (``docs/sql/expridx.txt`` -> ``docs/sql/expridx``)."""
    root, _ext = posixpath.splitext(name)
    return root


def resolve(links: Mapping[str, Sequence[str]], names: Iterable[str]) -> dict[str, list[str]]:
    """Each document's links (``{name: raw targets}``) as names of other documents.

    A target is the document it names, relative to the linking document's folder; failing
    that, the one document whose name, without suffix, ends with the target's path without
    suffix: a page saved as Markdown or moved to another folder is still the page linked
    (``../uri.html`` finds ``storage/uri.md``). A target that fits several documents, or
    none, or the linking document itself, is left out.
    """
    known = set(names)
    by_tail: defaultdict[str, list[str]] = defaultdict(list)
    for name in known:
        parts = _stem(name).split("/")
        for i in range(len(parts)):
            by_tail["/".join(parts[i:])].append(name)
    out: dict[str, list[str]] = {}
    for source, targets in links.items():
        resolved: list[str] = []
        folder = posixpath.dirname(source)
        for target in targets:
            path = posixpath.normpath(posixpath.join(folder, target))
            if path not in known:
                tail = _stem(posixpath.normpath(target)).lstrip("./").lstrip("/")
                fits = by_tail.get(tail, [])
                path = fits[0] if len(fits) == 1 else ""
            if path and path != source and path not in resolved:
                resolved.append(path)
        if resolved:
            out[source] = resolved
    return out
