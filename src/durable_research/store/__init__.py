"""The artifact store: where page texts, notes, drafts (and reports) live, by key.

Workflow histories carry only keys and content hashes. Keys are chosen by code, never
taken from a path in a workflow input; every key shape (``texts/<sha256>``,
``runs/<workflow id>/...``) and the key grammar the backends check are in
contract/keys. Backends: a directory (default, also a shared mount for a small
cluster); more can implement :class:`ArtifactStore`.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from durable_research.contract.keys import text_key
from durable_research.store.errors import ArtifactMissingError

__all__ = [
    "ArtifactMissingError",
    "ArtifactStore",
    "content_hash",
]


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


def content_hash(data: bytes) -> str:
    """The sha256 hex digest identifying ``data``."""
    return hashlib.sha256(data).hexdigest()


def put_text(store: ArtifactStore, text: str) -> str:
    """Store ``text`` content-addressed (idempotent) and return its digest."""
    data = text.encode("utf-8")
    digest = content_hash(data)
    key = text_key(digest)
    if not store.exists(key):
        store.put(key, data)
    return digest


def get_if_any(store: ArtifactStore, key: str) -> bytes | None:
    """The bytes under ``key``, or None when absent: one call (``exists`` then ``get`` is
    two, and each is a trip to a thread for an activity)."""
    try:
        return store.get(key)
    except ArtifactMissingError:
        return None


def get_text(store: ArtifactStore, key: str) -> str:
    """Read a UTF-8 text from the store."""
    return store.get(key).decode("utf-8", errors="replace")
