"""Web search providers over real HTTP against the fake engine; provider choice; hit filtering."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.contract.research import DdgsReach
from durable_research.errors import ConfigError
from durable_research.research.reachability import probe_ddgs, tcp_answers
from durable_research.research.search import (
    BraveProvider,
    DdgsProvider,
    SearchError,
    SearxngProvider,
    TavilyProvider,
    filter_hits,
    web_provider,
)
from durable_research.research.types import SearchHit
from durable_research.testing.ports import free_port
from durable_research.testing.search_server import SearchServer

DOCS = [
    ("https://bio.example.org/tardigrades", "Tardigrades in space",
     "Tardigrades survive the vacuum of space and extreme radiation for days."),
    ("https://geo.example.net/basalt", "Basalt columns",
     "Volcanic basalt cools into hexagonal columns, as at the Giant's Causeway."),
    ("https://bio.example.org/rotifers", "Rotifers",
     "Bdelloid rotifers, like tardigrades, survive drying out for years."),
    ("https://cooking.example.com/bread", "Sourdough bread",
     "A starter of flour and water ferments for a week before baking."),
]


@pytest.fixture(scope="module")
def engine_server() -> Iterator[SearchServer]:
    """One fake search engine for the module, with a small fixed corpus."""
    server = SearchServer().start()
    server.add_documents(DOCS)
    yield server
    server.stop()


@pytest.fixture
def engine(engine_server: SearchServer) -> SearchServer:
    """The fake engine with queries and scripts reset for this test."""
    engine_server.reset()
    return engine_server


@pytest.fixture(autouse=True)
def no_real_ddgs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real DuckDuckGo call from these tests fails loudly instead of reaching the internet."""

    class Forbidden:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("the real ddgs must never be called in tests")

    monkeypatch.setattr("ddgs.DDGS", Forbidden)


def _providers(engine: SearchServer, key: str = "test-key") -> list[Any]:
    return [
        SearxngProvider(engine.base_url),
        TavilyProvider(key, endpoint=engine.tavily_endpoint),
        BraveProvider(key, endpoint=engine.brave_endpoint),
    ]


@pytest.mark.parametrize("which", [0, 1, 2])
async def test_providers_rank_and_truncate(engine: SearchServer, which: int) -> None:
    provider = _providers(engine)[which]
    hits = await provider.search("tardigrades survive space", max_results=5)
    assert [h.url for h in hits] == [
        "https://bio.example.org/tardigrades", "https://bio.example.org/rotifers"]
    assert hits[0].title == "Tardigrades in space"
    assert "vacuum of space" in hits[0].snippet
    assert all(h.kind == SourceKind.WEB and h.content_hash == "" for h in hits)
    assert await provider.search("tardigrades survive space", max_results=1) == hits[:1]
    assert await provider.search("quantum chromodynamics", max_results=5) == []
    assert engine.queries == ["tardigrades survive space"] * 2 + ["quantum chromodynamics"]


@pytest.mark.parametrize("which", [0, 1, 2])
async def test_scripted_failures_are_classified(engine: SearchServer, which: int) -> None:
    provider = _providers(engine)[which]
    engine.script({"status": 500}, {"status": 429, "retry_after": 7}, {"status": 401},
                  {"body": "<html>captive portal</html>"}, {"status": 404})
    with pytest.raises(SearchError) as info:
        await provider.search("basalt", 3)
    assert info.value.retryable and "HTTP 500" in str(info.value)
    with pytest.raises(SearchError) as info:
        await provider.search("basalt", 3)
    assert info.value.retryable and info.value.retry_after_s == 7
    with pytest.raises(SearchError) as info:
        await provider.search("basalt", 3)
    assert not info.value.retryable and "HTTP 401" in str(info.value)
    with pytest.raises(SearchError) as info:
        await provider.search("basalt", 3)
    assert info.value.retryable and "not JSON" in str(info.value)
    with pytest.raises(SearchError) as info:
        await provider.search("basalt", 3)
    assert not info.value.retryable
    # The script is used up: the next search succeeds.
    assert [h.url for h in await provider.search("basalt", 3)] == [DOCS[1][0]]


async def test_wrong_keys_are_refused_not_retried(engine: SearchServer) -> None:
    for provider in _providers(engine, key="wrong-key")[1:]:
        with pytest.raises(SearchError) as info:
            await provider.search("basalt", 3)
        assert not info.value.retryable
        assert "credentials refused" in str(info.value)
        assert "wrong-key" not in str(info.value)


async def test_searxng_without_json_format(engine: SearchServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{engine.base_url}/search", params={"q": "x"})
    assert response.status_code == 403
    engine.script({"status": 403})
    with pytest.raises(SearchError) as info:
        await SearxngProvider(engine.base_url + "/").search("basalt", 3)
    assert not info.value.retryable and "search.formats" in str(info.value)


async def test_timeouts_and_dead_servers_are_retryable(engine: SearchServer) -> None:
    engine.script({"delay": 1.0})
    with pytest.raises(SearchError) as info:
        await SearxngProvider(engine.base_url, timeout_s=0.2).search("basalt", 3)
    assert info.value.retryable and "timed out" in str(info.value)
    with pytest.raises(SearchError) as info:
        await SearxngProvider(f"http://127.0.0.1:{free_port()}").search("basalt", 3)
    assert info.value.retryable and "network error" in str(info.value)


async def test_unexpected_shapes_and_brave_markup() -> None:
    answers: list[httpx.Response] = [
        httpx.Response(200, json={"web": {"results": [
            {"url": "https://a.example/x", "title": "A &amp; <strong>B</strong>",
             "description": "<strong>tardigrades</strong> &lt;3 space"},
            {"title": "no url"}, "not an object"]}}),
        httpx.Response(200, json={"web": {"results": "oops"}}),
        httpx.Response(200, json={"type": "search"}),
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
    ]
    transport = httpx.MockTransport(lambda request: answers.pop(0))
    brave = BraveProvider("k", transport=transport)
    hits = await brave.search("q", 5)
    assert hits == [SearchHit(url="https://a.example/x", title="A & B",
                              snippet="tardigrades <3 space")]
    with pytest.raises(SearchError) as info:
        await brave.search("q", 5)
    assert info.value.retryable
    assert await brave.search("q", 5) == []  # no web results at all
    with pytest.raises(SearchError) as info:
        await brave.search("q", 5)
    assert info.value.retry_after_s == 0  # a date in the past: retry now


async def test_keys_go_only_in_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": []})

    transport = httpx.MockTransport(answer)
    await TavilyProvider("sekrit", transport=transport).search("q", 50)
    await BraveProvider("sekrit", transport=transport).search("q", 3)
    tavily, brave = seen
    assert str(tavily.url) == "https://api.tavily.com/search"
    assert tavily.headers["Authorization"] == "Bearer sekrit"
    assert b'"max_results": 20' in tavily.content or b'"max_results":20' in tavily.content
    assert brave.url.host == "api.search.brave.com" and brave.url.params["count"] == "3"
    assert brave.headers["X-Subscription-Token"] == "sekrit"
    assert "sekrit" not in str(brave.url)


async def test_ddgs_provider_with_fake_client(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []

    class FakeDDGS:
        def __init__(self, timeout: int | None = 5) -> None:
            self.timeout = timeout

        def text(self, query: str, max_results: int = 10) -> list[dict[str, str]]:
            calls.append((query, max_results))
            if query == "boom":
                raise RuntimeError("Ratelimit")
            if query == "nothing":
                raise RuntimeError("No results found.")
            return [{"title": "T1", "href": "https://one.example/", "body": "first"},
                    {"title": "T2", "href": "https://two.example/", "body": "second"},
                    {"title": "no link", "body": "dropped"}]

    monkeypatch.setattr("ddgs.DDGS", FakeDDGS)
    provider = DdgsProvider()
    hits = await provider.search("tardigrades", 5)
    assert calls == [("tardigrades", 5)]
    assert [(h.url, h.title, h.snippet) for h in hits] == [
        ("https://one.example/", "T1", "first"), ("https://two.example/", "T2", "second")]
    assert len(await provider.search("tardigrades", 1)) == 1
    assert await provider.search("nothing", 5) == []
    with pytest.raises(SearchError) as info:
        await provider.search("boom", 5)
    assert info.value.retryable and "Ratelimit" in str(info.value)


def test_web_provider_choice() -> None:
    assert web_provider(Settings()) is None
    assert web_provider(Settings(search_provider="none", searxng_url="http://s")) is None
    full = Settings(searxng_url="http://s:8888/", tavily_api_key="t", brave_api_key="b")
    chosen = web_provider(full)
    assert isinstance(chosen, SearxngProvider) and chosen.base_url == "http://s:8888"
    assert isinstance(web_provider(Settings(tavily_api_key="t", brave_api_key="b")),
                      TavilyProvider)
    assert isinstance(web_provider(Settings(brave_api_key="b")), BraveProvider)
    # An explicit choice wins over auto's order; auto takes ddgs only when the client's
    # probe found it answering (tests/unit/research/test_websearch.py).
    assert isinstance(web_provider(Settings(search_provider="brave", tavily_api_key="t",
                                            brave_api_key="b")), BraveProvider)
    assert isinstance(web_provider(Settings(search_provider="ddgs")), DdgsProvider)


async def test_the_probe_connects_and_gives_up_on_a_closed_port(
        engine_server: SearchServer) -> None:
    """One TCP connection, nothing sent: a listening port answers, a closed one does not."""
    listening = engine_server.base_url.removeprefix("http://")
    closed = f"127.0.0.1:{free_port()}"
    assert await tcp_answers(listening) and not await tcp_answers(closed)
    assert await probe_ddgs(Settings(search_ddgs_probe=listening)) is DdgsReach.ANSWERS
    assert await probe_ddgs(Settings(search_ddgs_probe=closed)) is DdgsReach.UNREACHABLE


@pytest.mark.parametrize(("choice", "var"), [
    ("searxng", "SEARXNG_URL"), ("tavily", "TAVILY_API_KEY"), ("brave", "BRAVE_API_KEY")])
def test_explicit_provider_without_setting(choice: str, var: str) -> None:
    with pytest.raises(ConfigError) as info:
        web_provider(Settings(search_provider=choice))
    assert var in info.value.message and var in info.value.hint


def test_filter_hits_dedupes_and_drops_bad_urls() -> None:
    hits = [
        SearchHit(url="https://Example.org/page#intro", title="A"),
        SearchHit(url="https://example.org/page/", title="duplicate"),
        SearchHit(url="https://EXAMPLE.org/page", title="duplicate too"),
        SearchHit(url="https://example.org/page?x=1", title="B"),
        SearchHit(url="ftp://example.org/file", title="ftp"),
        SearchHit(url="javascript:alert(1)", title="js"),
        SearchHit(url="file:///etc/passwd", title="file"),
        SearchHit(url="https:///nohost", title="no host"),
        SearchHit(url="http://[::1", title="broken"),
        SearchHit(url="  http://other.example/  ", title="C"),
    ]
    kept = filter_hits(hits, [], [], 10)
    assert [(h.url, h.title) for h in kept] == [
        ("https://Example.org/page", "A"), ("https://example.org/page?x=1", "B"),
        ("http://other.example/", "C")]
    assert len(filter_hits(hits, [], [], 2)) == 2


def test_filter_hits_domains() -> None:
    urls = ["https://example.org/1", "https://a.example.org/2", "https://notexample.org/3",
            "https://b.a.example.org/4", "https://other.net/5"]
    hits = [SearchHit(url=u) for u in urls]

    def kept(allow: list[str], deny: list[str]) -> list[str]:
        return [h.url[-1] for h in filter_hits(hits, allow, deny, 10)]

    assert kept(["example.org"], []) == ["1", "2", "4"]
    assert kept(["*.a.example.org"], []) == ["2", "4"]
    assert kept(["https://Other.NET/path"], []) == ["5"]
    assert kept([], ["example.org"]) == ["3", "5"]
    assert kept(["example.org"], ["a.example.org"]) == ["1"]
    assert kept([], []) == ["1", "2", "3", "4", "5"]


def test_filter_hits_cleans_text() -> None:
    hit = SearchHit(url="https://x.example/", title=" Evil\u202etxt.exe \x00\n title\t",
                    snippet="word " * 200 + "\x07", kind=SourceKind.WEB)
    (clean,) = filter_hits([hit], [], [], 5)
    assert clean.title == "Eviltxt.exe title"
    assert len(clean.snippet) <= 500 and clean.snippet.startswith("word word")
    assert "\x07" not in clean.snippet and "\n" not in clean.title
    assert clean.kind == SourceKind.WEB


async def test_searches_share_one_tls_context(engine: SearchServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request's client used to build its own TLS context (the CA bundle read again:
    ~50 ms of the worker's event loop per search, blocking every other report's steps);
    the worker's searches now share one."""
    import ssl

    made: list[object] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    from durable_research.research import tls

    tls.ssl_context.cache_clear()
    provider = SearxngProvider(engine.base_url)  # no test transport: the worker's own path
    for query in ("tardigrades", "basalt", "rotifers", "bread"):
        assert await provider.search(query, 5)
    assert len(made) <= 1, f"{len(made)} TLS contexts for 4 searches"
