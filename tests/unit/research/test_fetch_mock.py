"""PageFetcher rules the fixture site cannot show, via httpx mock transports and fake DNS.

Nothing here opens a socket: MockTransport answers in-process and DNS answers are faked.
"""

from __future__ import annotations

import pickle
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import httpx
import pytest

from durable_research.config import Settings
from durable_research.research.fetch import FetchError, FetchErrorKind, FetchPolicy, PageFetcher
from durable_research.research.fetch_policy import is_blocked_ip, parse_content_type
from durable_research.testing import fixture_pages as pages

LOCAL = FetchPolicy(allow_private=True, host_delay_s=0.0, timeout_s=5.0)

Handler = Callable[[httpx.Request], httpx.Response]


def mock_fetcher(handler: Handler, policy: FetchPolicy = LOCAL) -> PageFetcher:
    return PageFetcher(policy, transport=httpx.MockTransport(handler))


def robots_404(then: Handler) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return then(request)

    return handler


@pytest.mark.parametrize(
    ("status", "headers", "retryable", "retry_after"),
    [
        (429, {"Retry-After": "7"}, True, 7.0),
        (503, {}, True, None),
        (500, {"Retry-After": "2"}, True, 2.0),
        (403, {"Retry-After": "7"}, False, None),
        (410, {}, False, None),
    ],
)
async def test_status_classification(
    status: int, headers: dict[str, str], retryable: bool, retry_after: float | None
) -> None:
    async with mock_fetcher(robots_404(lambda r: httpx.Response(status, headers=headers))) as f:
        with pytest.raises(FetchError) as info:
            await f.fetch("http://example.test/page")
    error = info.value
    assert (error.kind, error.status) == (FetchErrorKind.HTTP, status)
    assert (error.retryable, error.retry_after_s) == (retryable, retry_after)


@pytest.mark.parametrize(
    ("body", "expected"),
    [(pages.review_pdf(), "application/pdf"), (b"<html><p>Hi</p></html>", "text/html")],
)
async def test_missing_content_type_sniffed(body: bytes, expected: str) -> None:
    async with mock_fetcher(robots_404(lambda r: httpx.Response(200, content=body))) as f:
        fetched = await f.fetch("http://example.test/doc")
    assert fetched.content_type == expected and fetched.body == body


async def test_size_cap_without_content_length() -> None:
    async def stream() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x" * 10_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=stream())

    async with mock_fetcher(robots_404(handler), replace(LOCAL, max_bytes=50_000)) as f:
        with pytest.raises(FetchError) as info:
            await f.fetch("http://example.test/stream")
    assert info.value.kind == FetchErrorKind.TOO_LARGE


async def test_too_many_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        hop = int(request.url.path.strip("/r") or 0)
        return httpx.Response(302, headers={"Location": f"/r{hop + 1}"})

    async with mock_fetcher(robots_404(handler), replace(LOCAL, max_redirects=2)) as f:
        with pytest.raises(FetchError) as info:
            await f.fetch("http://example.test/r0")
    assert info.value.kind == FetchErrorKind.REDIRECTS and "more than 2" in str(info.value)


@pytest.mark.parametrize("robots", [httpx.Response(500), httpx.ConnectError("refused")])
async def test_broken_robots_allows(robots: httpx.Response | Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            if isinstance(robots, Exception):
                raise robots
            return robots
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>ok</p>")

    async with mock_fetcher(handler) as f:
        assert (await f.fetch("http://example.test/private/page")).status == 200


@pytest.mark.parametrize(
    ("cause", "retryable"),
    [(ssl.SSLCertVerificationError(1, "CERTIFICATE_VERIFY_FAILED"), False), (None, True)],
)
async def test_network_errors(cause: Exception | None, retryable: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection failed") from cause

    async with mock_fetcher(handler) as f:
        with pytest.raises(FetchError) as info:
            await f.fetch("https://example.test/")
    assert (info.value.kind, info.value.retryable) == (FetchErrorKind.NETWORK, retryable)


class Recorder:
    """A mock site that records requests; DNS is faked so nothing leaves the process."""

    def __init__(self, redirect_to: str = "") -> None:
        self.requests: list[httpx.Request] = []
        self.redirect_to = redirect_to

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if self.redirect_to:
            return httpx.Response(302, headers={"Location": self.redirect_to})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>hi</p>")


def fake_dns(fetcher: PageFetcher, table: dict[str, list[str]]) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return table[host]

    fetcher._resolve = resolve  # type: ignore[method-assign]  # the test's double


async def test_public_host_pinned_to_checked_address() -> None:
    site = Recorder()
    policy = replace(LOCAL, allow_private=False)
    async with mock_fetcher(site, policy) as fetcher:
        fake_dns(fetcher, {"example.org": ["93.184.215.14"]})
        fetched = await fetcher.fetch("https://example.org/page")
    assert fetched.final_url == "https://example.org/page"
    page = site.requests[-1]
    assert page.url.host == "93.184.215.14"
    assert page.headers["host"] == "example.org"
    assert page.extensions["sni_hostname"] == "example.org"
    assert page.headers["user-agent"] == policy.user_agent


async def test_international_host_resolved_as_a_label() -> None:
    site = Recorder()
    async with mock_fetcher(site, replace(LOCAL, allow_private=False)) as fetcher:
        fake_dns(fetcher, {"xn--mnchen-3ya.de": ["93.184.215.14"]})
        await fetcher.fetch("https://münchen.de/")
    assert site.requests[-1].headers["host"] == "xn--mnchen-3ya.de"
    assert site.requests[-1].extensions["sni_hostname"] == "xn--mnchen-3ya.de"


@pytest.mark.parametrize(
    ("table", "redirect_to"),
    [
        ({"mixed.example": ["93.184.215.14", "10.0.0.5"]}, ""),
        ({"mixed.example": ["93.184.215.14"]}, "http://169.254.169.254/latest/meta-data"),
        ({"mixed.example": ["93.184.215.14"]}, "file:///etc/passwd"),
    ],
)
async def test_any_private_answer_or_redirect_blocked(
    table: dict[str, list[str]], redirect_to: str
) -> None:
    site = Recorder(redirect_to)
    async with mock_fetcher(site, replace(LOCAL, allow_private=False)) as fetcher:
        fake_dns(fetcher, table)
        with pytest.raises(FetchError) as info:
            await fetcher.fetch("http://mixed.example/start")
    assert info.value.kind == FetchErrorKind.BLOCKED
    assert all(request.url.host == "93.184.215.14" for request in site.requests)


def test_policy_from_settings_and_error_pickles() -> None:
    settings = Settings(
        fetch_timeout_s=3.0, fetch_max_bytes=1000, fetch_allow_private=True, fetch_host_delay_s=0
    )
    policy = FetchPolicy.from_settings(settings)
    assert (policy.timeout_s, policy.max_bytes, policy.allow_private, policy.host_delay_s) == (
        3.0,
        1000,
        True,
        0,
    )
    error = FetchError(FetchErrorKind.HTTP, "HTTP 429", True, 5.0, 429)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, str(copy), copy.retryable, copy.retry_after_s, copy.status) == (
        FetchErrorKind.HTTP,
        "HTTP 429",
        True,
        5.0,
        429,
    )


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("64:ff9b::7f00:1", True),
        ("junk", True),
        ("93.184.215.14", False),
        ("::ffff:8.8.8.8", False),
        ("2606:4700::1111", False),
    ],
)
def test_is_blocked_ip(address: str, blocked: bool) -> None:
    assert is_blocked_ip(address) is blocked


def test_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="UTF-8"') == ("text/html", "utf-8")
    assert parse_content_type("") == ("", "")
