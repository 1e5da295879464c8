"""The artifact store: where page texts, notes, drafts (and reports) live, by key.

Workflow histories carry only keys and content hashes. Keys are chosen by code
(``texts/<sha256>``, ``runs/<workflow id>/...``), never taken from a path in a
workflow input, and validated here. Backends: a directory (default, also a shared
mount for a small cluster); more can implement :class:`ArtifactStore`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol

from durable_research.store.errors import ArtifactMissingError, StoreError

__all__ = [
    "ArtifactMissingError",
    "ArtifactStore",
    "StoreError",
    "content_hash",
    "text_key",
    "validate_key",
]

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=-]*(/[A-Za-z0-9][A-Za-z0-9._=-]*)*$")
MAX_KEY_CHARS = 512


class ArtifactStore(Protocol):
    """Bytes by key. Writes are atomic; writing the same key again replaces it whole."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (readers see all of it or nothing)."""

    def get(self, key: str) -> bytes:
        """Return the bytes under ``key``; raise ArtifactMissingError if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""
        ...

    def describe(self) -> str:
        """Where the store lives, for people (``/data/store``, ``s3://b/p``)."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key (no ``..``, no leading ``/``).

    Raises:
        StoreError: The key is malformed (a programming error or a forged input).
    """
    if len(key) > MAX_KEY_CHARS or not _KEY.match(key) or ".." in key.split("/"):
        raise StoreError(f"invalid artifact key {key[:80]!r}")
    return key


def content_hash(data: bytes) -> str:
    """The sha256 hex digest identifying ``data``."""
    return hashlib.sha256(data).hexdigest()


def text_key(digest: str) -> str:
    """The key of an extracted text with the given sha256 digest."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise StoreError(f"not a sha256 digest: {digest[:80]!r}")
    return f"texts/{digest}"


def put_text(store: ArtifactStore, text: str) -> str:
    """Store ``text`` content-addressed (idempotent) and return its digest."""
    data = text.encode("utf-8")
    digest = content_hash(data)
    key = text_key(digest)
    if not store.exists(key):
        store.put(key, data)
    return digest


def get_text(store: ArtifactStore, key: str) -> str:
    """Read a UTF-8 text from the store."""
    return store.get(key).decode("utf-8", errors="replace")
