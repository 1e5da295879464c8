"""Temporal helpers for tests and benchmarks: reconnecting, crashing the dev server."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from temporalio.client import Client

from durable_research import devserver


async def connect_retrying(address: str, attempts: int = 300, pause_s: float = 0.1) -> Client:
    """Connect, retrying while the server (re)starts."""
    for _ in range(attempts):
        try:
            return await Client.connect(address)
        except RuntimeError:
            await asyncio.sleep(pause_s)
    raise RuntimeError(f"no Temporal server at {address}")


def kill_dev_server(data_dir: Path) -> None:
    """SIGKILL the embedded server started from ``data_dir`` (a crash) and reap it."""
    pid = devserver.running_pid(data_dir)
    if pid is None:
        return
    os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # not our child: wait until it is gone
        while devserver.running_pid(data_dir) is not None:
            time.sleep(0.02)
