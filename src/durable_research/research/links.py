"""The links of a fetched HTML page, for the research agent's ``follow`` tool.

The extracted text keeps no links (trafilatura's text drops them), so the page's links
are kept beside it: absolute http(s) URLs of its ``<a href>``, in page order, without
fragments or repeats, at most :data:`MAX_LINKS`.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

MAX_LINKS = 40


def page_links(body: bytes, base: str, limit: int = MAX_LINKS) -> list[str]:
    """The page's outgoing links (not to itself); [] for a page lxml cannot parse."""
    try:
        doc = lxml.html.fromstring(body)
    except (ValueError, etree.ParserError):
        return []
    found: list[str] = []
    for element, attribute, link, _pos in doc.iterlinks():
        if element.tag != "a" or attribute != "href":
            continue
        url = urljoin(base, link.strip()).split("#", 1)[0]
        if urlsplit(url).scheme in ("http", "https") and url != base and url not in found:
            found.append(url)
            if len(found) == limit:
                break
    return found
