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


def refuse(text: str) -> int:
    """A call that fails in the child with an ordinary exception."""
    raise ValueError(text)
