"""Fixtures of the activities' unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from durable_research.activities import pools, storage

T = TypeVar("T")


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the blocking calls sent to the I/O pool, in order."""
    sent: list[str] = []
    real = pools.in_io  # what storage.in_store sends its calls to

    async def counting(func: Callable[..., T], *args: Any) -> T:
        sent.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args)

    monkeypatch.setattr(storage, "in_io", counting)
    return sent
