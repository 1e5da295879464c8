"""Functions the worker's process pool runs in tests (module-level: a child imports them)."""

from __future__ import annotations

import os
import signal


def child_pid() -> int:
    """The pid of the child that ran the call."""
    return os.getpid()


def die() -> int:
    """The child is killed mid-call, as the kernel's OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)
    return 0  # never reached


def read_fifo(path: str) -> str:
    """A long call: it blocks until a writer opens the FIFO at ``path`` and closes it."""
    with open(path) as fifo:
        return fifo.read()


def refuse(text: str) -> int:
    """A call that fails in the child with an ordinary exception."""
    raise ValueError(text)


def pool_then_killed() -> None:
    """``python -c`` body of a worker killed with SIGKILL: it starts the process pool,
    prints its children's pids and kills itself."""
    import asyncio

    from durable_research.activities import procpool

    async def run() -> None:
        procpool.start(2)
        await procpool.warm()
        pids = {await procpool.in_process(child_pid) for _ in range(4)}
        print(" ".join(map(str, sorted(pids))), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(run())
