"""A standby worker process told to stop (SIGTERM) before it polls ends cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(120)
def test_a_warm_standby_stopped_by_sigterm_shuts_its_process_pool_down(tmp_path: Path) -> None:
    """The supervisor stops every child with SIGTERM (``research server --stop``). A standby
    had no handler before it was told to go: it died of the signal with its warmed process
    pool open, and each stop wrote "resource_tracker: There appear to be 7 leaked semaphore
    objects" to worker.log (and to a terminal that started the supervisor)."""
    env = {**os.environ, "HOME": str(tmp_path), "RESEARCH_DATA_DIR": str(tmp_path / "data"),
           "TEMPORAL_ADDRESS": "127.0.0.1:9", "WORKER_CPU_POOL": "processes",
           "LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
           "LLM_API_BASE": "http://127.0.0.1:9/v1"}
    proc = subprocess.Popen([sys.executable, "-m", "durable_research.worker.proc"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None
        # Waits on the real signal: the standby says "ready" once its pool is warm.
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert b"leaked" not in err, err.decode()
