"""Test doubles around a real artifact store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from durable_research.store import ArtifactStore


class MeetingStore:
    """A store whose writes of the keys ``meets`` picks wait for each other: two of them
    must be under way at once (``threading.BrokenBarrierError`` when they are written one
    after the other). Records every key written, in order."""

    def __init__(self, inner: ArtifactStore, meets: Callable[[str], bool]) -> None:
        self.inner = inner
        self.meets = meets
        self.meet = threading.Barrier(2, timeout=10)
        self.written: list[str] = []

    def put(self, key: str, data: bytes) -> None:
        if self.meets(key):
            self.meet.wait()
        self.inner.put(key, data)
        self.written.append(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
