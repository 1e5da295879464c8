"""A stopped worker leaves no LLM connection open: litellm keeps its HTTP clients (keep-alive
sockets to the provider) in a process-wide cache, and those of a stopped worker's loop were
found by the garbage collector in whatever test ran next, a ResourceWarning (an unrelated
CLI test failed in a loaded ``make test``)."""

from __future__ import annotations

import sys

from temporalio.client import Client

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report


def _open_llm_clients() -> list[object]:
    litellm = sys.modules["litellm"]
    cached = getattr(litellm.in_memory_llm_clients_cache, "cache_dict", {})
    out = []
    for handler in cached.values():
        inner = getattr(handler, "_client", None) or getattr(handler, "client", None)
        if inner is not None and not getattr(inner, "is_closed", True):
            out.append(handler)
    return out


async def test_a_stopped_worker_closes_the_llm_connections(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="connections")
        assert result.status == "completed"
        assert fake_llm.successes >= 1
        assert _open_llm_clients(), "the calls went through litellm's cached clients"
    assert _open_llm_clients() == []
