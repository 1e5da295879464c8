"""PageFetcher against the real fixture web site on 127.0.0.1 (mock cases: test_fetch_mock)."""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace

import pytest

from durable_research.research import fetch as fetch_module
from durable_research.research.extract import extract_text
from durable_research.research.fetch import (
    FetchError,
    FetchErrorKind,
    FetchPolicy,
    PageFetcher,
)
from durable_research.testing import fixture_pages as pages
from durable_research.testing.fixture_site import FixtureSite

LOCAL = FetchPolicy(allow_private=True, host_delay_s=0.0, timeout_s=5.0)


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    """One fixture site for the module; counters are reset per test."""
    fixture = FixtureSite(slow_s=3.0).start()
    yield fixture
    fixture.stop()


@pytest.fixture(autouse=True)
def _fresh_counters(site: FixtureSite) -> None:
    site.reset()


async def fetch_error(url: str, policy: FetchPolicy = LOCAL) -> FetchError:
    """Fetch ``url`` expecting a FetchError, and return it."""
    async with PageFetcher(policy) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(url)
    return info.value


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_articles_fetched_and_main_text_extracted(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        for article in site.articles():
            fetched = await fetcher.fetch(article.url)
            assert (fetched.status, fetched.content_type, fetched.charset) == (
                200,
                "text/html",
                "utf-8",
            )
            assert fetched.final_url == fetched.url == article.url
            extracted = extract_text(fetched.body, fetched.content_type, article.url)
            assert extracted.title == article.title
            for paragraph in article.text.split("\n\n"):
                assert paragraph in extracted.text
            for marker in pages.BOILERPLATE_MARKERS:
                assert marker not in extracted.text
    assert site.hits("/robots.txt") == 1


async def test_pdf_fetched_and_extracted(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        fetched = await fetcher.fetch(site.url("/papers/tardigrade-review.pdf"))
    assert fetched.content_type == "application/pdf"
    assert fetched.body.startswith(b"%PDF")
    extracted = extract_text(fetched.body, fetched.content_type, fetched.url)
    assert extracted.title == pages.PDF_TITLE
    for paragraph in pages.PDF_PARAGRAPHS:
        assert paragraph in flat(extracted.text)


async def test_latin1_text_decoded(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        fetched = await fetcher.fetch(site.url("/notes/latin1.txt"))
    assert (fetched.content_type, fetched.charset) == ("text/plain", "iso-8859-1")
    text = extract_text(fetched.body, fetched.content_type, charset=fetched.charset).text
    assert "Les tardigrades résistent à des températures extrêmes." in text
    assert "« oursons d'eau »" in text
    assert "Ã" not in text


async def test_not_found_is_permanent(site: FixtureSite) -> None:
    error = await fetch_error(site.url("/missing"))
    assert (error.kind, error.retryable, error.status) == (FetchErrorKind.HTTP, False, 404)
    assert "404" in str(error)


async def test_slow_page_times_out_retryably(site: FixtureSite) -> None:
    started = time.monotonic()
    error = await fetch_error(site.url("/slow"), replace(LOCAL, timeout_s=0.5))
    assert error.kind == FetchErrorKind.TIMEOUT and error.retryable
    assert time.monotonic() - started < 2.5


async def test_slow_headers_hit_the_page_deadline(site: FixtureSite) -> None:
    """Issue 25 #7: headers dripping in a byte at a time never trip a per-read timeout;
    the page's one deadline covers them."""
    started = time.monotonic()
    error = await asyncio.wait_for(
        fetch_error(site.url("/drip-headers"), replace(LOCAL, timeout_s=1.0)), 20)
    assert error.kind == FetchErrorKind.TIMEOUT and error.retryable
    assert time.monotonic() - started < 5


async def test_redirects_share_the_page_deadline(site: FixtureSite) -> None:
    """Five quick requests (0.3 s each) that together take longer than the deadline."""
    error = await fetch_error(site.url("/hop/4"), replace(LOCAL, timeout_s=1.0))
    assert error.kind == FetchErrorKind.TIMEOUT and error.retryable
    assert site.hits("/hop/0") == 0
    async with PageFetcher(replace(LOCAL, timeout_s=5.0)) as fetcher:
        fetched = await fetcher.fetch(site.url("/hop/2"))
    assert fetched.final_url == site.url("/hop/0")


async def test_huge_page_refused(site: FixtureSite) -> None:
    error = await fetch_error(site.url("/huge"))
    assert error.kind == FetchErrorKind.TOO_LARGE and not error.retryable


async def test_redirect_loop_detected(site: FixtureSite) -> None:
    error = await fetch_error(site.url("/loop"))
    assert error.kind == FetchErrorKind.REDIRECTS and not error.retryable
    assert site.hits("/loop") == 1 and site.hits("/loop2") == 1


async def test_redirect_followed(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        fetched = await fetcher.fetch(site.url("/redirect"))
    assert fetched.url == site.url("/redirect")
    assert fetched.final_url == site.url("/articles/anatomy.html")
    assert b"About 1,300 species" in fetched.body


async def test_image_refused_by_type(site: FixtureSite) -> None:
    error = await fetch_error(site.url("/image.png"))
    assert error.kind == FetchErrorKind.BAD_TYPE and not error.retryable
    assert "image/png" in str(error)


async def test_robots_disallow_and_single_robots_fetch(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(site.url("/private/secret.html"))
        assert info.value.kind == FetchErrorKind.ROBOTS and not info.value.retryable
        urls = [article.url for article in site.articles()]
        # Concurrent first requests must still share one robots.txt download.
        await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        await fetcher.fetch(site.url("/notes/latin1.txt"))
    assert site.hits("/private/secret.html") == 0
    assert site.hits("/robots.txt") == 1


async def test_concurrent_first_fetches_share_robots(site: FixtureSite) -> None:
    async with PageFetcher(LOCAL) as fetcher:
        await asyncio.gather(*(fetcher.fetch(article.url) for article in site.articles()))
    assert site.hits("/robots.txt") == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
async def test_private_addresses_blocked_before_any_request(site: FixtureSite, host: str) -> None:
    policy = replace(LOCAL, allow_private=False)
    url = site.url("/articles/space.html").replace("127.0.0.1", host)
    error = await fetch_error(url, policy)
    assert error.kind == FetchErrorKind.BLOCKED and not error.retryable
    assert site.hits("/articles/space.html") == 0 and site.hits("/robots.txt") == 0


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x/", "not a url", "http://"]
)
async def test_bad_schemes_blocked(url: str) -> None:
    error = await fetch_error(url)
    assert error.kind == FetchErrorKind.BLOCKED and not error.retryable


async def test_politeness_delay_per_host(site: FixtureSite) -> None:
    policy = replace(LOCAL, host_delay_s=0.3)
    urls = [article.url for article in site.articles()[:3]]
    async with PageFetcher(policy) as fetcher:
        started = time.monotonic()
        for url in urls:
            await fetcher.fetch(url)
        sequential = time.monotonic() - started
        started = time.monotonic()
        await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        concurrent = time.monotonic() - started
    # robots.txt + 3 pages: at least three gaps of 0.3 s (0.6 s asked, generous bound).
    assert sequential >= 0.6
    assert concurrent >= 0.6
    assert site.hits("/robots.txt") == 1


async def test_pinned_connection_reaches_real_server(
    site: FixtureSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With address checks on, the request goes to the checked IP under the host's name."""
    monkeypatch.setattr(fetch_module, "is_blocked_ip", lambda address: False)
    async with PageFetcher(replace(LOCAL, allow_private=False)) as fetcher:

        async def resolve(host: str, port: int) -> list[str]:
            assert host == "water-bears.test"
            return ["127.0.0.1"]

        fetcher._resolve = resolve  # type: ignore[method-assign]  # the test's double
        url = f"http://water-bears.test:{site.port}/articles/space.html"
        fetched = await fetcher.fetch(url)
    assert fetched.final_url == url and b"FOTON-M3" in fetched.body
    assert site.hits("/articles/space.html") == 1 and site.hits("/robots.txt") == 1


async def test_closing_waits_for_fetches_under_way_and_leaves_no_socket_open(
        site: FixtureSite) -> None:
    # The worker's fetcher closes when the worker stops, maybe as fetches begin: closing
    # the client under a connecting request left its socket open (a ResourceWarning when
    # collected; 12 sockets for these 8 fetches before the fix).
    fetcher = PageFetcher(LOCAL)
    urls = [a.url for a in site.articles()] + [f"{site.base_url}/"] * 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        fetches = [asyncio.ensure_future(fetcher.fetch(u)) for u in urls]
        await asyncio.sleep(0)  # they begin
        await fetcher.aclose()
        done = await asyncio.gather(*fetches)
        del fetches
        gc.collect()
    assert [f.status for f in done] == [200] * len(urls)
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


async def test_a_fetch_after_close_fails_retryable() -> None:
    fetcher = PageFetcher(LOCAL)
    await fetcher.aclose()
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch("http://127.0.0.1:9/page")
    assert caught.value.kind is FetchErrorKind.NETWORK and caught.value.retryable
    assert "closing" in str(caught.value)
