"""Fixtures of the real-component tests beyond the session's own (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_research.embedded import devserver, local_worker
from durable_research.testing.ports import free_port


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A dev server of this test's own, so it can be killed: its address and data folder."""
    data = tmp_path / "server"
    address = f"127.0.0.1:{free_port()}"
    devserver.start_dev_server(address, data, headless=True)
    yield address, data
    local_worker.stop_embedded(data)
