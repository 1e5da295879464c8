"""The worker's CPU-bound pure work in processes of its own, off the event loop's GIL.

A worker runs every report's activities and workflow tasks on one event loop, in one
interpreter. A render (0.5-1 s of a deep report), a wave's page extractions (~10 ms a
page, 24 pages at once) or a section's note comparison (0.3-1 s) run in a thread
(``pools.in_cpu``) and still hold the GIL, so the workflow tasks and LLM calls of the
report's other branches wait for them (docs/benchmarks.md, goal 3). Here they run in a
process pool the worker owns: :func:`start` when a worker starts (nothing is spawned
yet), :func:`warm` once it polls (the children start and load what they need in the
background), :func:`stop` when the last worker of the process stops.

The children are forked from a fork server that imported the worker's modules once
(``set_forkserver_preload``), never from the worker itself, whose Temporal threads a
fork would copy in an unknown state. A child that dies (killed, out of memory) breaks
the pool: every call in flight then fails with a *retryable* ``ApplicationError``
(:data:`FailureType.CPU_PROCESS_CRASHED`) and the next call gets a new pool.

Without a started pool (a test's activity environment, ``WORKER_CPU_POOL=threads``)
:func:`in_process` runs the function in the core-sized thread pool, as before.
Inputs and results cross by pickle: the functions are module-level and take dataclasses,
strings and paths. A cancelled activity stops waiting at once; the child finishes its
call and its result is dropped (as a thread's was).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from temporalio.exceptions import ApplicationError

from durable_research.activities.pools import in_cpu
from durable_research.errors import FailureType

T = TypeVar("T")

# What the fork server imports once, so a child starts with the modules its calls need
# (and those the parent's ``__main__`` imports again in each child) already loaded.
PRELOAD: tuple[str, ...] = (
    "durable_research.worker.build",
    "durable_research.activities.procwork",
)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_size = 0
_users = 0


def start(size: int) -> None:
    """A worker of this process will send work to ``size`` processes (a second worker
    shares the first one's pool); nothing is spawned until :func:`warm` or a call."""
    global _pool, _size, _users
    with _lock:
        _users += 1
        if _pool is None:
            _size = max(1, size)
            _pool = _new_pool(_size)


def _new_pool(size: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=_child_start)


def _child_start() -> None:
    # Here, not procwork's function itself: the worker imports this module at its start,
    # and procwork's parsers only when a step first needs them.
    from durable_research.activities.procwork import warm_child

    warm_child()


def _ready() -> bool:
    # A no-op call: the pool starts a child for it (warm).
    return True


def running() -> bool:
    """Whether a worker of this process has started the pool."""
    return _pool is not None


async def warm() -> None:
    """Start every child now (each loads its fonts and parsers), in a thread: the first
    start waits for the fork server's imports (about a second, in its own process)."""
    pool = _pool
    if pool is None:
        return
    try:
        # One call a child: a pool spawns a process per call while it has fewer than its
        # size, so ``_size`` calls at once start them all.
        await asyncio.to_thread(lambda: [f.result() for f in
                                         [pool.submit(_ready) for _ in range(_size)]])
    except BrokenProcessPool:
        _replace(pool)


async def stop() -> None:
    """The worker no longer sends work here; the last one shuts the children down."""
    global _pool, _users
    with _lock:
        _users = max(0, _users - 1)
        pool, _pool = (_pool, None) if _users == 0 else (None, _pool)
    if pool is not None:
        await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)


def _replace(broken: ProcessPoolExecutor) -> None:
    """A new pool instead of ``broken`` (once, whichever call noticed first)."""
    global _pool
    with _lock:
        if _pool is not broken:
            return
        _pool = _new_pool(_size)
    broken.shutdown(wait=False, cancel_futures=True)


async def in_process(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in the worker's process pool (in the thread pool without one).

    A child that dies during the call raises a retryable ``ApplicationError``; the
    exceptions ``func`` raises come back as they were raised.
    """
    pool = _pool
    if pool is None:
        return await in_cpu(func, *args)
    try:
        # Submitted from a thread: a submit may start a child, which waits for the fork
        # server; the event loop must not.
        future: Future[T] = await asyncio.to_thread(pool.submit, func, *args)
        return await asyncio.wrap_future(future)
    except BrokenProcessPool as exc:
        _replace(pool)
        raise ApplicationError(
            f"a CPU worker process of this worker died during {func.__name__}: {exc}",
            type=FailureType.CPU_PROCESS_CRASHED,
        ) from exc
    except RuntimeError as exc:
        if pool is _pool or "shutdown" not in str(exc):
            raise
        # Submitted while a crash replaced the pool: the next attempt gets the new one.
        raise ApplicationError(f"the CPU worker processes were restarting: {exc}",
                               type=FailureType.CPU_PROCESS_CRASHED) from exc
