"""Web search providers (SearXNG, Tavily, Brave, DuckDuckGo via ``ddgs``) behind one protocol.

Every provider turns its answer into :class:`SearchHit` values and every failure into a
:class:`SearchError` that says whether trying again can help. Results are untrusted:
:func:`filter_hits` cleans them before they go anywhere.
"""

from __future__ import annotations

import asyncio
import html
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.contract.research import DdgsReach
from durable_research.research.authority import host_matches
from durable_research.research.tls import ssl_context
from durable_research.research.types import SearchHit
from durable_research.research.websearch import DDGS, choose_web_search

TAVILY_ENDPOINT = "https://api.tavily.com/search"
BRAVE_ENDPOINT = "https://api.search.brave.com/res/v1/web/search"
USER_AGENT = "durable-research/0.1"
MAX_TITLE_CHARS = 300
MAX_SNIPPET_CHARS = 500
MAX_RETRY_AFTER_S = 3600.0
# Control characters, and the bidi overrides that can make a title read differently than it is.
_UNSAFE_CHARS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


class SearchError(Exception):
    """A search failed; ``retryable`` says whether the same request may succeed later."""

    def __init__(self, message: str, retryable: bool, retry_after_s: float | None = None) -> None:
        """Describe the failure; ``retry_after_s`` is the server's requested wait, if any."""
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class SearchProvider(Protocol):
    """A web search engine: a query in, at most ``max_results`` hits out."""

    name: str

    async def search(self, query: str, max_results: int) -> list[SearchHit]:
        """Search the web; raise :class:`SearchError` on failure."""
        ...


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), at most an hour."""
    try:
        seconds = float(value or "")
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value or "") - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    # A server asking for days would silently park a report; an hour, then ask again.
    return min(max(0.0, seconds), MAX_RETRY_AFTER_S)


async def _request_json(
    name: str, method: str, url: str, transport: httpx.AsyncBaseTransport | None,
    timeout_s: float, refused: str = "credentials refused", **kwargs: Any,
) -> Any:
    """Send one request and return its JSON, mapping every failure to a SearchError."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    headers.update(kwargs.pop("headers", {}))
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout_s,
                                     verify=ssl_context()) as client:
            response = await client.request(method, url, headers=headers, **kwargs)
    except httpx.TimeoutException as exc:
        raise SearchError(f"{name}: timed out after {timeout_s:g} s", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise SearchError(f"{name}: network error: {type(exc).__name__}: {exc}",
                          retryable=True) from exc
    status = response.status_code
    wait = _retry_after(response.headers.get("Retry-After"))
    if status in (401, 403):
        raise SearchError(f"{name}: {refused} (HTTP {status})", retryable=False)
    if status == 429:
        raise SearchError(f"{name}: rate limited (HTTP 429)", retryable=True, retry_after_s=wait)
    if status >= 500:
        raise SearchError(f"{name}: server error (HTTP {status})", retryable=True,
                          retry_after_s=wait)
    if status >= 400:
        # A wrong URL or a request the API rejects: the same request will fail again.
        raise SearchError(f"{name}: request refused (HTTP {status})", retryable=False)
    try:
        return response.json()
    except ValueError as exc:
        # Proxies and captive portals answer with HTML; a later attempt may get the real API.
        raise SearchError(f"{name}: the answer is not JSON", retryable=True) from exc


def _items(data: Any, *path: str) -> list[dict[str, Any]]:
    """The list of result objects at ``path`` in ``data``; malformed shapes are an error."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if data is None:
        return []
    if not isinstance(data, list):
        raise SearchError(f"unexpected answer: {'.'.join(path)} is not a list", retryable=True)
    return [item for item in data if isinstance(item, dict)]


def _hits(items: list[dict[str, Any]], snippet_field: str, max_results: int) -> list[SearchHit]:
    hits = [
        SearchHit(url=str(item["url"]), title=str(item.get("title") or ""),
                  snippet=str(item.get(snippet_field) or ""), kind=SourceKind.WEB)
        for item in items
        if isinstance(item.get("url"), str) and item["url"]
    ]
    return hits[: max(0, max_results)]


class SearxngProvider:
    """A SearXNG instance's JSON API (``format=json`` must be enabled in its settings)."""

    name = "searxng"

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None,
                 timeout_s: float = 20) -> None:
        """Use the instance at ``base_url`` (e.g. ``http://127.0.0.1:8888``)."""
        self.base_url = base_url.rstrip("/")
        self._transport = transport
        self._timeout_s = timeout_s

    async def search(self, query: str, max_results: int) -> list[SearchHit]:
        """``GET /search?q=...&format=json``; SearXNG pages its results itself."""
        data = await _request_json(
            self.name, "GET", f"{self.base_url}/search", self._transport, self._timeout_s,
            # SearXNG answers 403 when JSON output is not enabled: no key is involved.
            refused="access refused; is 'json' in search.formats of the instance's settings.yml?",
            params={"q": query, "format": "json"},
        )
        return _hits(_items(data, "results"), "content", max_results)


class _KeyedProvider:
    """An API that takes a key; the key is only ever sent to the provider's own endpoint."""

    name = ""
    default_endpoint = ""

    def __init__(self, api_key: str, endpoint: str = "",
                 transport: httpx.AsyncBaseTransport | None = None, timeout_s: float = 20) -> None:
        """Use ``api_key``; ``endpoint`` is for tests only (never taken from settings)."""
        self._api_key = api_key
        self._endpoint = endpoint or self.default_endpoint
        self._transport = transport
        self._timeout_s = timeout_s


class TavilyProvider(_KeyedProvider):
    """Tavily's search API (``POST {query, max_results}``, key as a Bearer token)."""

    name = "tavily"
    default_endpoint = TAVILY_ENDPOINT

    async def search(self, query: str, max_results: int) -> list[SearchHit]:
        """Search with Tavily; it serves at most 20 results per request."""
        data = await _request_json(
            self.name, "POST", self._endpoint, self._transport, self._timeout_s,
            json={"query": query, "max_results": max(1, min(max_results, 20))},
            headers={"Authorization": f"Bearer {self._api_key}"},
        )
        return _hits(_items(data, "results"), "content", max_results)


class BraveProvider(_KeyedProvider):
    """Brave Search's web API (``GET ?q=&count=``, key in ``X-Subscription-Token``)."""

    name = "brave"
    default_endpoint = BRAVE_ENDPOINT

    async def search(self, query: str, max_results: int) -> list[SearchHit]:
        """Search with Brave; it serves at most 20 results per request."""
        data = await _request_json(
            self.name, "GET", self._endpoint, self._transport, self._timeout_s,
            params={"q": query, "count": max(1, min(max_results, 20))},
            headers={"X-Subscription-Token": self._api_key},
        )
        hits = _hits(_items(data, "web", "results"), "description", max_results)
        for hit in hits:
            # Brave marks matched words with <strong> and escapes entities in snippets.
            hit.title = html.unescape(_TAG.sub("", hit.title))
            hit.snippet = html.unescape(_TAG.sub("", hit.snippet))
        return hits


class DdgsProvider:
    """Keyless DuckDuckGo (and friends) search through the ``ddgs`` package."""

    name = "ddgs"

    def __init__(self, timeout_s: float = 20) -> None:
        """Give each search ``timeout_s`` seconds."""
        self._timeout_s = timeout_s

    def _search_sync(self, query: str, max_results: int) -> list[dict[str, Any]]:
        from ddgs import DDGS  # imported late: the package pulls in a lot

        try:
            return list(DDGS(timeout=int(max(1, self._timeout_s))).text(
                query, max_results=max_results))
        except Exception as exc:
            if "no results found" in str(exc).lower():
                return []  # ddgs reports an empty answer as an exception
            # Its errors are rate limits, timeouts and engines that changed: all transient.
            raise SearchError(f"ddgs: {type(exc).__name__}: {exc}", retryable=True) from exc

    async def search(self, query: str, max_results: int) -> list[SearchHit]:
        """Run the blocking ``DDGS().text`` in a thread."""
        rows = await asyncio.to_thread(self._search_sync, query, max_results)
        items = [{"url": r.get("href") or r.get("url"), **r} for r in rows if isinstance(r, dict)]
        return _hits(items, "body", max_results)


def web_provider(settings: Settings,
                 ddgs: str = DdgsReach.UNCHECKED) -> SearchProvider | None:
    """The web search provider of :func:`choose_web_search` (None for no web search);
    ``ddgs`` is what the client's probe found (auto takes DuckDuckGo only if it answered).

    Raises:
        ConfigError: A provider was chosen explicitly but its URL or key is not set.
    """
    choice = choose_web_search(settings, ddgs)
    makers: dict[str, Any] = {"searxng": SearxngProvider, "tavily": TavilyProvider,
                              "brave": BraveProvider}
    if not choice.provider:
        return None
    if choice.provider == DDGS:
        return DdgsProvider()
    provider: SearchProvider = makers[choice.provider](choice.setting)
    return provider


def _clean(text: str, limit: int) -> str:
    """One line of printable text: control characters out, whitespace collapsed, capped."""
    text = _UNSAFE_CHARS.sub("", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _domain(entry: str) -> str:
    """``https://www.Example.org/x`` or ``*.example.org`` -> ``example.org``."""
    entry = entry.strip().lower()
    if "://" in entry:
        entry = urlsplit(entry).hostname or ""
    return entry.split("/")[0].lstrip("*.").rstrip(".")


def filter_hits(hits: list[SearchHit], allow_domains: list[str], deny_domains: list[str],
                max_results: int) -> list[SearchHit]:
    """Clean untrusted web hits and keep at most ``max_results``.

    Drops non-http(s) URLs, duplicates (fragment and trailing slash ignored), hosts not
    in ``allow_domains`` (when given) and hosts in ``deny_domains``; a domain also
    matches its subdomains. Titles and snippets lose control characters, snippets are
    capped at 500 characters, and URLs lose their fragment.
    """
    allow = [d for d in map(_domain, allow_domains) if d]
    deny = [d for d in map(_domain, deny_domains) if d]
    seen: set[str] = set()
    kept: list[SearchHit] = []
    for hit in hits:
        try:
            parts = urlsplit(hit.url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:  # e.g. a malformed IPv6 literal
            continue
        if parts.scheme.lower() not in ("http", "https") or not host:
            continue
        if (allow and not host_matches(host, allow)) or host_matches(host, deny):
            continue
        url = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, ""))
        norm = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"),
                           parts.query, ""))
        if norm in seen:
            continue
        seen.add(norm)
        kept.append(SearchHit(url=url, title=_clean(hit.title, MAX_TITLE_CHARS),
                              snippet=_clean(hit.snippet, MAX_SNIPPET_CHARS),
                              kind=hit.kind, content_hash=hit.content_hash))
        if len(kept) >= max_results:
            break
    return kept
