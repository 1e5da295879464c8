"""Temporal helpers for tests and benchmarks: reconnecting, crashing the dev server."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter

from durable_research.config import Settings
from durable_research.embedded import devserver


async def connect_retrying(
    address: str,
    attempts: int = 300,
    pause_s: float = 0.1,
    *,
    settings: Settings | None = None,
    data_converter: DataConverter | None = None,
) -> Client:
    """Connect, retrying while the server (re)starts.

    The client gets the app's payload codec, like ``client.connect``: from
    ``data_converter`` if given, else built from ``settings`` (default: the
    environment, ``load_settings()``), so tests, benches and workers share one key.
    Pass ``data_converter=DataConverter.default`` for a plain client.
    """
    if data_converter is None:
        from durable_research.config import load_settings
        from durable_research.payloads.codec import data_converter as app_converter

        data_converter = app_converter(settings or load_settings())
    for _ in range(attempts):
        try:
            return await Client.connect(address, data_converter=data_converter)
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
