"""litellm, imported when a worker's first call needs it, leaves the collector's full passes."""

from __future__ import annotations

import gc

import pytest

from durable_research.llm import calls


def test_importing_litellm_freezes_the_heap_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker freezes its start-up heap before it polls; litellm comes later, and a full
    # pass walked its objects each time (one in every deep report's PDF render).
    done: list[str] = []

    def collect(generation: int = 2) -> int:
        done.append("collect")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    calls.litellm_module.cache_clear()
    try:
        litellm = calls.litellm_module()
        assert litellm.suppress_debug_info is True
        assert done == ["collect", "freeze"]
        calls.litellm_module()
        assert done == ["collect", "freeze"]  # once per process: the import is cached
    finally:
        calls.litellm_module.cache_clear()
