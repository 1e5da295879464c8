"""Worker processes for crash tests: start ``tests.support.worker_proc``, wait, SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from durable_research.config import Settings
from tests.support.paths import ROOT
from tests.support.settings import settings_env


def spawn_worker(
    settings: Settings, tmp: Path, block_pdf: Path | None = None,
    blocks: dict[str, Path] | None = None, env: dict[str, str] | None = None,
    blocks_after: dict[str, tuple[int, Path]] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``tests.support.worker_proc`` and wait until it polls.

    ``blocks``: activity name -> marker file; that activity blocks forever once begun.
    ``blocks_after``: activity name -> (n, marker file); calls after the first n block.
    """
    ready = tmp / f"ready-{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "tests.support.worker_proc", "--ready", str(ready)]
    if block_pdf:
        cmd += ["--block-pdf", str(block_pdf)]
    for name, marker in (blocks or {}).items():
        cmd += ["--block", name, str(marker)]
    for name, (count, marker) in (blocks_after or {}).items():
        cmd += ["--block-after", name, str(count), str(marker)]
    env = dict(env or settings_env(settings))
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    wait_for_file(ready, proc, timeout=180)  # generous: a loaded 2-core box
    return proc


def wait_for_file(
    path: Path, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60
) -> None:
    """Wait until ``path`` exists (failing early if ``proc`` died)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"worker exited early with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.05)


def wait_for_any_file(procs: dict[Path, subprocess.Popen[bytes]], timeout: float = 60) -> Path:
    """Wait until one of ``procs``' marker files exists (failing early if one died)."""
    deadline = time.monotonic() + timeout
    while True:
        for path, proc in procs.items():
            if path.exists():
                return path
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"none of {sorted(map(str, procs))} appeared")
        time.sleep(0.05)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process and reap it."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
