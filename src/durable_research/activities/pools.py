"""Where an activity's blocking work runs: CPU-bound rendering apart from waiting on I/O.

The worker runs LLM and SMTP calls as async activities, hundreds at once
(``WORKER_IO_CONCURRENCY``): they mostly wait. Rendering a PDF is CPU-bound and
holds the GIL; more threads than cores only make every render slower and starve
the event loop that answers Temporal, so renders queue for a pool sized to the
cores (``WORKER_CPU_THREADS``). Blocking I/O (SMTP, the artifact store) gets its
own pool, so a burst of mails never waits behind renders or vice versa.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Blocking I/O threads: the calls wait on sockets and disks, not on the CPU. Enough
# for the SMTP connections and store writes of a full batch of reports.
DEFAULT_IO_THREADS = 32

# Threads that save what was already paid for (an LLM answer's memo): a save must not wait
# behind the I/O pool's backlog (a burst of store calls after a server outage), since a
# worker killed before it lands makes the next attempt pay again. Saves are small writes.
KEEP_THREADS = 2

_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}
_sizes: dict[str, int] = {"cpu": max(1, os.cpu_count() or 1), "io": DEFAULT_IO_THREADS,
                          "keep": KEEP_THREADS}


def cpu_threads() -> int:
    """The size of the CPU-bound pool (``WORKER_CPU_THREADS``, or the cores)."""
    with _lock:
        return _sizes["cpu"]


def configure(cpu_threads: int = 0, io_threads: int = 0) -> None:
    """Size the pools (0: keep the default); takes effect for pools not yet created."""
    with _lock:
        if cpu_threads > 0:
            _sizes["cpu"] = cpu_threads
        if io_threads > 0:
            _sizes["io"] = io_threads


def _pool(kind: str) -> ThreadPoolExecutor:
    with _lock:
        pool = _pools.get(kind)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=_sizes[kind], thread_name_prefix=f"dr-{kind}")
            _pools[kind] = pool
        return pool


async def _run(kind: str, func: Callable[..., T], *args: Any) -> T:
    # Like asyncio.to_thread: the caller's context (activity info) follows the call.
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, func, *args)
    return await asyncio.get_running_loop().run_in_executor(_pool(kind), call)


async def in_cpu(func: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound ``func`` (rendering) in the pool sized to the cores."""
    return await _run("cpu", func, *args)


async def in_io(func: Callable[..., T], *args: Any) -> T:
    """Run blocking I/O ``func`` (SMTP, store) in the I/O pool."""
    return await _run("io", func, *args)


async def in_keep(func: Callable[..., T], *args: Any) -> T:
    """Run the blocking save of something paid for (``KEEP_THREADS`` says why apart)."""
    return await _run("keep", func, *args)
