"""A fetched page's links for the agent's ``follow`` (``research/links.py``)."""

from __future__ import annotations

from durable_research.research.links import page_links

PAGE = b"""<html><body><nav><a href="/">Home</a> <a href="/articles/space.html#top">Space</a>
<a href="mailto:x@example.org">Mail</a> <a href="javascript:alert(1)">js</a></nav>
<p>See <a href="https://other.example/a?b=1">this</a> and <a href="/articles/space.html">
again</a>, and <a href="/here.html">this page</a>.</p><img src="/pic.png"></body></html>"""


def test_links_are_absolute_http_once_each_in_page_order() -> None:
    assert page_links(PAGE, "http://site.example/here.html") == [
        "http://site.example/", "http://site.example/articles/space.html",
        "https://other.example/a?b=1"]


def test_a_bound_and_unparsable_pages() -> None:
    assert page_links(PAGE, "http://site.example/here.html", limit=1) == [
        "http://site.example/"]
    assert page_links(b"", "http://site.example/") == []
