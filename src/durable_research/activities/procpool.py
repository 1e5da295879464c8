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

Without a started pool (a test's activity environment, ``WORKER_CPU_POOL=threads``), or
until its children are up, :func:`in_process` runs the function in the core-sized thread
pool, as before: a cold pool never delays a step (a first run's report).
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

class _Pool:
    """The executor, and whether its children are up (:meth:`warm`)."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        self.size = size
        self.executor = ProcessPoolExecutor(max_workers=size, mp_context=context,
                                            initializer=_child_start)
        self.ready = threading.Event()
        self._warming = threading.Lock()

    def warm(self) -> None:
        """Start every child and wait until each has warmed up (blocking; a second caller
        waits for the first one's warm-up)."""
        with self._warming:
            if self.ready.is_set():
                return
            try:
                # One call a child: a pool spawns a process per call while it has fewer
                # than its size, so ``size`` calls at once start them all.
                for call in [self.executor.submit(_ready) for _ in range(self.size)]:
                    call.result()
            except BrokenProcessPool:
                _replace(self)
                return
            self.ready.set()


def _child_start() -> None:
    # Here, not procwork's function itself: the worker imports this module at its start,
    # and procwork's parsers only when a step first needs them.
    from durable_research.activities.procwork import warm_child

    warm_child()


def _ready() -> bool:
    # A no-op call: the pool starts a child for it (warm).
    return True


_lock = threading.Lock()
_pool: _Pool | None = None
_users = 0


def start(size: int) -> None:
    """A worker of this process will send work to ``size`` processes (a second worker
    shares the first one's pool); nothing is spawned until :func:`warm`."""
    global _pool, _users
    with _lock:
        _users += 1
        if _pool is None:
            _pool = _Pool(max(1, size))


def running() -> bool:
    """Whether a worker of this process has started the pool."""
    return _pool is not None


async def warm() -> None:
    """Start every child now and wait until they are up (each loads its fonts and
    parsers), in a thread: the first start waits for the fork server's imports (about a
    second, in its own process). Until then calls run in threads (:func:`in_process`)."""
    pool = _pool
    if pool is not None:
        await asyncio.to_thread(pool.warm)
        if _pool is not pool and _pool is not None:  # a child died: its replacement
            await asyncio.to_thread(_pool.warm)


async def stop() -> None:
    """The worker no longer sends work here; the last one shuts the children down."""
    global _pool, _users
    with _lock:
        _users = max(0, _users - 1)
        pool, _pool = (_pool, None) if _users == 0 else (None, _pool)
    if pool is not None:
        await asyncio.to_thread(pool.executor.shutdown, True, cancel_futures=True)


def _replace(broken: _Pool) -> None:
    """A new pool instead of ``broken`` (once, whichever call noticed first), warmed in
    the background; calls run in threads meanwhile."""
    global _pool
    with _lock:
        if _pool is not broken:
            return
        _pool = new = _Pool(broken.size)
    broken.executor.shutdown(wait=False, cancel_futures=True)
    threading.Thread(target=new.warm, daemon=True, name="dr-cpu-pool-warm").start()


async def in_process(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in the worker's process pool (in the thread pool without one).

    A child that dies during the call raises a retryable ``ApplicationError``; the
    exceptions ``func`` raises come back as they were raised.
    """
    pool = _pool
    if pool is None or not pool.ready.is_set():
        # No pool, or its children are not up yet (a worker's first seconds, or after a
        # crash): a thread, as before, rather than a step waiting for a start-up.
        return await in_cpu(func, *args)
    try:
        future: Future[T] = pool.executor.submit(func, *args)
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
