"""What a page fetch may do and how it reports: policy, result, errors, address checks."""

from __future__ import annotations

import ipaddress
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from durable_research.config import Settings


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of a PageFetcher.

    ``timeout_s`` is one deadline per page: robots.txt, DNS, connecting, headers, every
    redirect and the body together (politeness waits excluded);
    ``host_delay_s`` is the least time between the starts of two requests to one host.
    """

    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    allow_private: bool = False
    host_delay_s: float = 1.0
    max_redirects: int = 5
    user_agent: str = "durable-research/0.1"
    content_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "application/pdf",
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy configured by ``FETCH_*`` settings (other fields keep defaults)."""
        return cls(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.fetch_allow_private,
            host_delay_s=settings.fetch_host_delay_s,
        )


@dataclass
class Fetched:
    """A fetched document: the body as sent, its media type (no parameters) and charset."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str
    body: bytes


class FetchErrorKind(StrEnum):
    """Why a fetch failed."""

    BLOCKED = "blocked"  # bad scheme or a private/loopback/reserved address
    ROBOTS = "robots"  # robots.txt disallows the URL
    TOO_LARGE = "too_large"
    BAD_TYPE = "bad_type"  # content type not in the allow-list
    HTTP = "http"  # an HTTP error status
    TIMEOUT = "timeout"
    NETWORK = "network"  # DNS, connection or transfer failure
    REDIRECTS = "redirects"  # loop or too many


class FetchError(Exception):
    """A fetch failed; ``retryable`` says whether trying again later may help.

    ``retry_after_s`` is the server's Retry-After (429/503), ``status`` the HTTP
    status when there was one.
    """

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        retryable: bool,
        retry_after_s: float | None = None,
        status: int | None = None,
    ) -> None:
        # All fields in args, so the exception survives pickling (process pools, logs).
        super().__init__(kind, message, retryable, retry_after_s, status)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.status = status

    def __str__(self) -> str:
        return self.message


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_blocked_ip(address: str) -> bool:
    """Whether ``address`` is anything but a public unicast address.

    Private, loopback, link-local, multicast, reserved, unspecified and shared
    (carrier-grade NAT) ranges are blocked; IPv4 embedded in IPv6 (``::ffff:a.b.c.d``,
    6to4, NAT64) is judged by its IPv4 address. Unparsable input counts as blocked.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if ip in _NAT64:
            # DNS64 networks give every IPv4-only site such an address: judge the IPv4.
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_blocked_ip(str(embedded))
        if ip.is_site_local:
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse_content_type(header: str) -> tuple[str, str]:
    """``"Text/HTML; charset=UTF-8"`` -> ``("text/html", "utf-8")``; missing parts are ""."""
    mime, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def status_error(status: int, reason: str, url: str, retry_after: str | None) -> FetchError:
    """The FetchError for an HTTP error status.

    5xx, 429 and 408 (request timeout) are transient; every other status means the
    same request would fail again.
    """
    retryable = status >= 500 or status in (408, 429)
    delay = parse_retry_after(retry_after) if retryable else None
    message = f"HTTP {status} {reason} for {url}".replace("  ", " ")
    return FetchError(FetchErrorKind.HTTP, message, retryable, delay, status)


def is_certificate_error(exc: BaseException) -> bool:
    """Whether a TLS certificate failed to verify somewhere in the exception's chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
