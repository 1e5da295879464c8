"""Research under crashes: SIGKILL the worker during the fetch fan-out and during writing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from durable_research.config import Settings
from durable_research.contract.keys import fetch_memo_name, shared_run_key
from durable_research.research import prompts
from durable_research.store.factory import open_store
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.search_server import SearchServer
from durable_research.worker.build import build_worker
from tests.support.helpers import start
from tests.support.processes import kill, spawn_worker

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_search(fixture_site: FixtureSite) -> Iterator[SearchServer]:
    """A search server whose results include the fixture site's slow page."""
    server = SearchServer().start()
    server.add_documents((p.url, p.title, p.text) for p in fixture_site.articles())
    server.add_documents([(fixture_site.url("/slow"), "Tardigrades survive slowly",
                           "tardigrades survive extreme conditions basic facts space DNA")])
    yield server
    server.stop()


async def completed_results(
    client: Client, workflow_id: str, activity: str
) -> list[dict[str, Any]]:
    """Inputs and results (decoded JSON) of the completed runs of ``activity``."""
    codec = client.data_converter.payload_codec

    async def plain(payloads: Sequence[Payload]) -> dict[str, Any]:
        decoded = await codec.decode(payloads) if codec else list(payloads)
        value: dict[str, Any] = json.loads(decoded[0].data)
        return value

    scheduled: dict[int, dict[str, Any]] = {}
    done: list[dict[str, Any]] = []
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == activity:
                scheduled[event.event_id] = await plain(attrs.input.payloads)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attrs2 = event.activity_task_completed_event_attributes
            if attrs2.scheduled_event_id in scheduled:
                done.append({"input": scheduled[attrs2.scheduled_event_id],
                             "result": await plain(attrs2.result.payloads)})
    return done


def kept_pages(settings: Settings, report_id: str, site: FixtureSite) -> set[str]:
    """The fixture articles whose fetch result the run has kept in the store."""
    store = open_store(settings)
    kept = set()
    for page in site.articles():
        if store.exists(shared_run_key(report_id, fetch_memo_name(page.url))):
            kept.add(page.url)
    return kept


async def children(client: Client, parent: str) -> list[str]:
    """Ids of the report's sub-question workflows that exist."""
    found = []
    for i in range(1, 9):
        try:
            await client.get_workflow_handle(f"{parent}/q{i}").describe()
            found.append(f"{parent}/q{i}")
        except Exception:  # noqa: BLE001 - not started (yet)
            break
    return found


# A bound for a hang, returned from as soon as the condition holds: 60 s was too short for
# test_worker_killed_while_writing at load 12 (a standard report's plan, searches, fetches
# and notes before its first section, on a worker process in a loaded 2-core box).
async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.1)


async def test_worker_killed_during_fetch_fan_out(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite,
    slow_search: SearchServer, tmp_path: Path,
) -> None:
    s = replace(research_settings, searxng_url=slow_search.base_url, fetch_timeout_s=30)
    doomed = spawn_worker(s, tmp_path)
    try:
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["md"])

        async def slow_fetch_running() -> bool:
            return fixture_site.hits("/slow") >= 1

        await wait_until(slow_fetch_running)

        # Not a fixed pause (on a loaded box 0.5 s kept no page at all): the signal the
        # assertions below need, a page of the fan-out whose result is kept.
        async def a_page_kept() -> bool:
            return bool(kept_pages(s, handle.id, fixture_site))

        await wait_until(a_page_kept)
        # A round's pages are fetched by one activity, which is still running (the slow
        # page): what protects the others is that each page's result is kept at once.
        fetched_before = kept_pages(s, handle.id, fixture_site)
        for child in await children(client, handle.id):
            for done in await completed_results(client, child, "fetch_pages"):
                assert not any("/slow" in p["url"] for p in done["input"]["pages"])
    finally:
        kill(doomed)
    assert fetched_before, "no page's result was kept before the kill"
    async with build_worker(client, s):
        result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed" and result.references
    for url in fetched_before:
        path = "/" + url.split("/", 3)[3]
        assert fixture_site.hits(path) == 1, f"{path} fetched again after its fetch completed"
    counts = fake_llm._server.state.by_prompt
    assert counts and max(counts.values()) == 1, "an LLM call was repeated"


async def test_worker_killed_while_writing(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    s = research_settings
    fake_llm.configure(task_delays={prompts.TASK_SECTION: 2.0})
    doomed = spawn_worker(s, tmp_path)
    try:
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["md"])

        async def a_section_done() -> bool:
            return bool(await completed_results(client, handle.id, "write_section"))

        await wait_until(a_section_done)
        sections_before = await completed_results(client, handle.id, "write_section")
        notes_calls = fake_llm.calls_containing("Sub-question:")
    finally:
        kill(doomed)
    fake_llm.configure(task_delays={})
    async with build_worker(client, s):
        result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed" and result.verification is not None
    # Notes were all taken before writing began: none is taken again.
    assert fake_llm.calls_containing("Sub-question:") == notes_calls
    counts = fake_llm._server.state.by_prompt
    for done in sections_before:
        heading = done["input"]["heading"]
        paid = [n for p, n in counts.items() if p.endswith(f"\n{prompts.SECTION_LABEL}{heading}")]
        assert paid == [1], f"section {heading!r} was paid {paid} times"
