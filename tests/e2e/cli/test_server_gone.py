"""`research run` whose Temporal server goes away says so once, in plain words. Found in
a new user's trial: after `research server --stop` mid-run, `research run` printed 64 lines
of the SDK core's own retry warnings (`WARN temporalio_client::retry: gRPC call
describe_workflow_execution retried 7 times ...`, with terminal colour codes, also into a
pipe) and nothing else for a minute."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker
from durable_research.testing.ports import free_port
from durable_research.testing.temporal import kill_dev_server
from tests.support.cli import RESEARCH
from tests.support.lines import Lines
from tests.support.processes import kill, spawn_worker
from tests.support.settings import settings_env, with_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A dev server of this test's own, so it can be killed."""
    data = tmp_path / "server"
    address = f"127.0.0.1:{free_port()}"
    devserver.start_dev_server(address, data, headless=True)
    yield address, data
    local_worker.stop_embedded(data)


def test_a_run_whose_server_goes_away_says_so_in_plain_words(
        settings: Settings, tmp_path: Path, private_server: tuple[str, Path]) -> None:
    address, data = private_server
    settings = with_settings(settings, temporal_address=address)
    # A worker of its own whose LLM call never ends: the report runs until the server goes.
    worker = spawn_worker(settings, tmp_path, blocks={"llm_call": tmp_path / "llm-call"})
    proc = subprocess.Popen([*RESEARCH, "run", "the server goes away", "--no-worker"],
                            env=settings_env(settings), cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = Lines(proc)
    try:
        lines.until("step: answering", 120)  # followed: the worker answers
        kill_dev_server(data)
        lines.until("still following", 60)
    finally:
        proc.kill()
        proc.wait()
        lines.rest()
        kill(worker)
    out = lines.text
    assert "Traceback" not in out and "\x1b[" not in out, out
    assert "sdk_core" not in out and "temporalio_client" not in out, out
    assert sum("still following" in line for line in lines.seen) == 1, out
