"""litellm's HTTP clients of an event loop, closed when its last user (a worker, a call) ends.

litellm keeps the SDK client of each provider set-up (model endpoint, key) in a cache, one
per event loop (``litellm.in_memory_llm_clients_cache``, keys ending in the loop's token),
with its keep-alive connections. It closes one only when the cache evicts it (after 600 s,
or when 200 are cached), and a client whose close is a coroutine only from its own loop.
A process whose loop ended before then (``research result`` hosting a worker with
``asyncio.run``, the web page's worker, a test) leaves the client to the garbage collector,
which finds its sockets open: a ``ResourceWarning`` wherever it runs then (measured: two
sockets to the fake LLM, found in unrelated tests of loaded ``make test`` passes).

So the worker says, for the time it runs, that it uses its loop's clients
(:func:`loop_clients`), and so does every call (:func:`acompletion`): the last user of a
loop closes that loop's clients while the loop still runs. Under a worker, calls reuse the
keep-alive connections; a call with no worker on its loop (``research doctor``, a test
that calls an activity directly) closes them after it (measured: the worker alone still
left two sockets to the fake LLM in a loaded ``make test``). Only that loop's: another
loop's client may be in the middle of a request (closing every cached client when a worker
stopped failed 5 tests that way). A later call on the same loop builds a new client.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

# How many running workers use each loop's clients. Weak: a loop that is gone needs no entry.
_users: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def loop_clients() -> AsyncIterator[None]:
    """Use the running loop's litellm clients for the time of the ``async with``; the last
    user to leave closes them (:func:`close_loop_clients`)."""
    loop = asyncio.get_running_loop()
    _users[loop] = _users.get(loop, 0) + 1
    try:
        yield
    finally:
        _users[loop] -= 1
        if not _users[loop]:
            del _users[loop]
            await close_loop_clients()


async def acompletion(litellm: ModuleType, **kwargs: Any) -> Any:
    """``litellm.acompletion(**kwargs)``, using the running loop's clients meanwhile."""
    async with loop_clients():
        return await litellm.acompletion(**kwargs)


async def close_loop_clients() -> int:
    """Take the running loop's clients out of litellm's cache and close them; returns how
    many. Nothing to do where litellm was never imported (it is imported on first need:
    a worker that made no LLM call has no client)."""
    litellm = sys.modules.get("litellm")
    if litellm is None:
        return 0
    cache = litellm.in_memory_llm_clients_cache
    ours = this_loops_keys(cache)
    clients = [cache.cache_dict.pop(key) for key in ours]
    for key in ours:
        cache.ttl_dict.pop(key, None)
    for client in clients:
        close = getattr(client, "aclose", None) or getattr(client, "close", None)
        if close is not None:
            closed = close()
            if inspect.isawaitable(closed):
                await closed
    return len(clients)


def this_loops_keys(cache: Any) -> list[str]:
    """The keys of litellm's client ``cache`` that belong to the running loop (they end in
    its token)."""
    from litellm.caching.evicted_client_closer import running_loop_token

    suffix = f"-{running_loop_token()}"
    return [key for key in list(cache.cache_dict) if key.endswith(suffix)]
