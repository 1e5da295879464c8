"""Optional dense embeddings (EMBEDDING_MODEL): fused with BM25, cached in the artifact store.

The ``search`` activity runs under Temporal's ActivityEnvironment against the fake LLM's
real ``/v1/embeddings`` endpoint (through litellm), which counts what it embeds; two
activity instances with no shared memory stand for two workers on one store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.research import ResearchActivities
from durable_research.config import Settings
from durable_research.doctor.check import FAIL, OK
from durable_research.doctor.research import check_embeddings
from durable_research.research import localdocs
from durable_research.research.embeddings import Embedder
from durable_research.research.localdocs import ingest_paths, search_collection
from durable_research.research.types import SearchInput
from durable_research.store.directory import DirectoryStore
from durable_research.testing.fake_embeddings import fake_vector
from durable_research.testing.fake_llm import FakeLLM
from tests.support.helpers import close_sync_llm_clients, env_for
from tests.support.paths import DATA

FIXTURE = DATA / "retrieval"


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    """A fake LLM of this test alone (its embedding counters start at zero)."""
    server = FakeLLM().start()
    yield server
    close_sync_llm_clients()  # the embedder's keep-alive sockets to this server
    server.stop()


def embed_settings(fake: FakeLLM, tmp_path: Path, model: str = "openai/fake-embed") -> Settings:
    return Settings(llm_model="openai/fake-model", llm_api_key="test-key",
                    llm_api_base=fake.api_base, embedding_model=model,
                    data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"))


def test_fake_vectors_are_deterministic_unit_vectors() -> None:
    a, b = fake_vector("git revert a commit"), fake_vector("git revert a commit")
    assert a == b and abs(sum(v * v for v in a) - 1.0) < 1e-9
    assert fake_vector("") == [0.0] * len(a)


async def test_embeddings_are_cached_across_runs_and_workers(fake: FakeLLM,
                                                             tmp_path: Path) -> None:
    settings = embed_settings(fake, tmp_path)
    key = ingest_paths(DirectoryStore(settings.store_path), [FIXTURE / "docs"]).key
    question = "How do I find which commit introduced a bug?"
    searches = [SearchInput(query=q, collection=key, web=False, max_results=3,
                            extra_queries=[question])
                for q in ("How does bisect narrow down a regression?",
                          "How can a fix be applied to release branches?")]

    async def run(activities: ResearchActivities, run_id: str) -> list[list[str]]:
        found = []
        for params in searches:
            out = await env_for(f"report-{run_id}/q1").run(activities.search, params)
            found.append([h.url for h in out.hits])
        return found

    localdocs.clear_cache()
    first = await run(ResearchActivities(settings), "a")
    assert all(len(hits) == 3 for hits in first)
    calls, texts = fake.embedding_calls, fake.embedded_texts
    assert calls >= 2 and texts > 20  # every passage, and each distinct query once
    # Another worker (no index in memory), a later run: everything comes from the store.
    localdocs.clear_cache()
    assert await run(ResearchActivities(settings), "b") == first
    assert (fake.embedding_calls, fake.embedded_texts) == (calls, texts)
    # A new query costs one text; the documents are not embedded again.
    localdocs.clear_cache()
    fresh = SearchInput(query="Which tool finds the first bad commit?", collection=key,
                        web=False, max_results=3)
    tokens = fake.embedded_tokens
    out = await env_for("report-c/q1").run(ResearchActivities(settings).search, fresh)
    assert out.hits and fake.embedded_texts == texts + 1
    assert fake.embedded_tokens == tokens + len(fresh.query.split())


class _Stub:
    """An embedder whose vectors are chosen by the test: the query and the texts naming
    ``topic`` point one way, all others another."""

    model = "stub"

    def __init__(self, query: str, topic: str) -> None:
        self.query, self.topic = query, topic

    def _vector(self, text: str) -> np.ndarray:
        near = text == self.query or self.topic in text
        return np.array([1.0, 0.0] if near else [0.0, 1.0], dtype=np.float32)

    def embed_groups(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
        return [np.vstack([self._vector(t) for t in group]) for group in groups]


def test_dense_ranking_is_fused_with_bm25(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [FIXTURE / "docs"]).key
    localdocs.clear_cache()
    query = "revert a merge with its mainline parent"
    lexical = [h.url for h in search_collection(store, key, query, 10)]
    assert "hooks.html" not in lexical
    # hooks.html shares no word with the query, but its vectors match the query's.
    fused = search_collection(store, key, query, 3, embedder=_Stub(query, "Hooks are programs"))
    assert "hooks.html" in [h.url for h in fused]
    assert next(h for h in fused if h.url == "hooks.html").snippet.startswith("Hooks are")
    # Documents both rankers like stay ahead of one only the dense ranker likes.
    assert [h.url for h in fused].index("hooks.html") > 0


async def test_embedding_failures_are_classified_and_doctor_says_so(fake: FakeLLM,
                                                                    tmp_path: Path) -> None:
    bad = embed_settings(fake, tmp_path, model="openai/unknown-embed")
    embedder = Embedder(bad, DirectoryStore(bad.store_path))
    with pytest.raises(ApplicationError) as failed:
        embedder.embed_query("anything")
    assert failed.value.non_retryable and "404" in str(failed.value)
    check = await check_embeddings(bad, call=True)
    assert check.level == FAIL and "EMBEDDING_MODEL" in check.hint
    good = embed_settings(fake, tmp_path)
    assert (await check_embeddings(good, call=False)).level == OK
    check = await check_embeddings(good, call=True)
    assert check.level == OK and "openai/fake-embed" in check.message
    assert "64-dimension" in check.message
