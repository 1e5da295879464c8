"""How far a source is trusted, and ordering hits by it: a boost among relevant hits,
never a filter (``--allow-domain``/``--deny-domain`` filter).

Pure functions (no I/O): the search activity ranks with them and the report workflow
labels its references with them, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import TypeVar
from urllib.parse import urlsplit

from durable_research.contract.citations import Authority, SourceKind

T = TypeVar("T")

# Web sites whose pages are mostly scraped re-posts of Stack Exchange answers or mass-
# produced "how to" articles (content farms): they add nothing over the original, and
# they drop its context, corrections, votes and dates. They are still used when nothing
# better matches, but rank last and are marked in the References. Small on purpose:
# names that are well known for it; the user's --deny-domain handles the rest.
LOW_TRUST_DOMAINS: frozenset[str] = frozenset({
    # Stack Overflow / Stack Exchange scrapers.
    "newbedev.com", "stackoom.com", "itectec.com", "exchangetuts.com", "anycodings.com",
    "programmerall.com", "thecodeteacher.com", "codegrepper.com",
    # Content farms.
    "ehow.com", "answers.com",
})

_TIER = {Authority.PREFERRED: 0, Authority.NORMAL: 1, Authority.LOW_TRUST: 2}


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (lower-case names)."""
    host = host.lower().rstrip(".")
    return any(d and (host == d or host.endswith("." + d)) for d in domains)


def web_authority(url: str, prefer_domains: Sequence[str]) -> Authority:
    """A web page's authority: preferred domain, low-trust site, or normal."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed URL is nobody's preferred source
        return Authority.NORMAL
    if host_matches(host, prefer_domains):
        return Authority.PREFERRED
    if host_matches(host, LOW_TRUST_DOMAINS):
        return Authority.LOW_TRUST
    return Authority.NORMAL


def path_matches(name: str, pattern: str) -> bool:
    """Whether a collection document name (``guides/wal.md``) is ``pattern``, lies in the
    folder ``pattern``, or matches it as a glob (``*`` also crosses ``/``)."""
    return name == pattern or name.startswith(pattern + "/") or fnmatchcase(name, pattern)


def local_authority(name: str, prefer_paths: Sequence[str]) -> Authority:
    """A local document's authority (local documents are never low-trust: the user chose
    them)."""
    if any(path_matches(name, p) for p in prefer_paths):
        return Authority.PREFERRED
    return Authority.NORMAL


def source_authority(kind: str, url: str, prefer_domains: Sequence[str],
                     prefer_paths: Sequence[str]) -> Authority:
    """The authority of a source: by its path for local documents, else by its URL."""
    if kind == SourceKind.LOCAL:
        return local_authority(url, prefer_paths)
    return web_authority(url, prefer_domains)


def by_authority(items: Sequence[T], authority_of: Callable[[T], Authority],
                 window: int | None = None) -> list[T]:
    """``items`` (best first) with the first ``window`` of them (all when None) reordered:
    preferred first, low-trust last, relevance order kept within each group.

    The window bounds the boost: a preferred item that ranked far below the others is
    not pulled ahead of them.
    """
    cut = len(items) if window is None else max(0, window)
    head = sorted(items[:cut], key=lambda item: _TIER[authority_of(item)])  # stable
    return head + list(items[cut:])
