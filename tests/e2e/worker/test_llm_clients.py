"""litellm's client of an event loop is closed when the loop's last user ends: the worker
that runs on it, or a call made with no worker on it (``durable_research.llm.clients``). Its
keep-alive sockets to the model no longer wait for the garbage collector, which found them
open in unrelated tests (a ``ResourceWarning``)."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client

from durable_research.activities.llm import completion_kwargs
from durable_research.config import Settings
from durable_research.llm.calls import load_litellm
from durable_research.llm.clients import (
    acompletion,
    close_loop_clients,
    loop_clients,
    this_loops_keys,
)
from durable_research.worker.build import build_worker


async def cached_clients_of_this_loop() -> list[Any]:
    """The clients litellm keeps for the running loop (keys end in the loop's token)."""
    cache = (await load_litellm()).in_memory_llm_clients_cache
    return [cache.cache_dict[key] for key in this_loops_keys(cache)]


async def ask(settings: Settings) -> str:
    litellm = await load_litellm()
    kwargs = completion_kwargs(settings, settings.llm_model, "You answer.", "Say hello.")
    answer = await acompletion(litellm, **kwargs)
    return str(answer.choices[0].message.content or "")


async def test_a_stopped_worker_closes_its_loops_llm_client(
    client: Client, settings: Settings,
) -> None:
    await close_loop_clients()  # what earlier tests on this loop left (none, with workers)
    async with build_worker(client, settings):
        assert await ask(settings)
        opened = await cached_clients_of_this_loop()
        assert len(opened) == 1
        assert not opened[0].is_closed()
    assert await cached_clients_of_this_loop() == []
    assert opened[0].is_closed()


async def test_a_loops_clients_stay_open_while_another_worker_uses_them(
    client: Client, settings: Settings,
) -> None:
    await close_loop_clients()
    async with loop_clients():  # the other worker, still running
        async with build_worker(client, settings):
            assert await ask(settings)
        still = await cached_clients_of_this_loop()
        assert len(still) == 1 and not still[0].is_closed()
        assert await ask(settings)  # the same client, reused
        assert await cached_clients_of_this_loop() == still
    assert still[0].is_closed()


async def test_a_call_with_no_worker_on_its_loop_closes_its_client_after(
    settings: Settings,
) -> None:
    await close_loop_clients()
    assert await ask(settings)  # as `research doctor` or a test calling an activity does
    assert await cached_clients_of_this_loop() == []
