"""The same question on the same documents gives the same report, whichever notes call of
the report runs first (real worker and dev server, the fake LLM, the README's report on
tests/data/conflict_docs).

The sub-questions' notes calls run at once and share passages; the order they run in is
forced here, one way and then the other, by a store that holds each notes call's first
read (its memo check) until the call before it in the wanted order has written its notes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from temporalio.client import Client

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.contract.keys import meta_key, notes_name
from durable_research.store import ArtifactStore
from durable_research.store import factory as store_factory
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report
from tests.support.paths import DATA

DOCS = DATA / "conflict_docs"
QUESTION = json.loads((DATA / "conflict_docs.json").read_text(encoding="utf-8"))["question"]
OPEN_STORE = store_factory.open_store


def _notes_of(key: str) -> int | None:
    """The sub-question (1, 2, ...) whose first round's notes record ``key`` is, if any."""
    tail = f"/{meta_key(notes_name(0))}"
    if not key.endswith(tail):
        return None
    folder = key.removesuffix(tail).rsplit("/", 1)[-1]
    return int(folder[1:]) if folder[:1] == "q" and folder[1:].isdigit() else None


class NotesInOrder:
    """A store on which the first-round notes calls of sub-questions ``order`` run one after
    another in that order: each one's memo check (its first step) waits until the one
    before it has written its notes."""

    def __init__(self, inner: ArtifactStore, order: list[int]) -> None:
        self.inner = inner
        self.order = order
        self.written = {n: threading.Event() for n in order}

    def get(self, key: str) -> bytes:
        n = _notes_of(key)
        if n in self.order and self.order.index(n) > 0:
            before = self.order[self.order.index(n) - 1]
            assert self.written[before].wait(timeout=60), f"q{before}'s notes never came"
        return self.inner.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.inner.put(key, data)
        n = _notes_of(key)
        if n in self.written:
            self.written[n].set()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def _report(client: Client, settings: Settings, order: list[int],
                  monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    monkeypatch.setattr(store_factory, "open_store",
                        lambda s: NotesInOrder(OPEN_STORE(s), order))
    prepared = cr.ingest_sources(settings, [str(DOCS)])
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt=QUESTION, depth="standard",
                                  collection=prepared.collection, web=False, formats=["md"],
                                  output_dir=str(out))
    assert result.status == "completed", result
    return Path(next(p for p in result.paths if p.endswith(".md"))).read_text(encoding="utf-8")


async def test_the_report_is_the_same_whichever_notes_call_runs_first(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(settings.output_dir)
    first = await _report(client, settings, [1, 2, 3], monkeypatch, root / "a")
    second = await _report(client, settings, [3, 2, 1], monkeypatch, root / "b")
    assert "## References" in first
    assert first == second
