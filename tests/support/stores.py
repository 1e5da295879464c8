"""Test doubles around a real artifact store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from durable_research.store import ArtifactStore


class MeetingStore:
    """A store whose writes of the keys ``meets`` picks wait for each other: two of them
    must be under way at once (``threading.BrokenBarrierError`` when they are written one
    after the other); so do the reads of the keys ``reads_meet`` picks. Records every key
    written, in order."""

    def __init__(self, inner: ArtifactStore, meets: Callable[[str], bool],
                 reads_meet: Callable[[str], bool] = lambda _key: False) -> None:
        self.inner = inner
        self.meets = meets
        self.reads_meet = reads_meet
        self.meet = threading.Barrier(2, timeout=10)
        self.read_meet = threading.Barrier(2, timeout=10)
        self.written: list[str] = []

    def put(self, key: str, data: bytes) -> None:
        if self.meets(key):
            self.meet.wait()
        self.inner.put(key, data)
        self.written.append(key)

    def get(self, key: str) -> bytes:
        if self.reads_meet(key):
            self.read_meet.wait()
        return self.inner.get(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
