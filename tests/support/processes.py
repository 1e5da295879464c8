"""Worker processes for crash tests: start ``tests.support.worker_proc``, wait, SIGKILL.

Also the clean-up of script runs that start servers of their own (the bench smoke test).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker
from tests.support.paths import ROOT
from tests.support.settings import settings_env


def spawn_worker(
    settings: Settings, tmp: Path, block_pdf: Path | None = None,
    blocks: dict[str, Path] | None = None, env: dict[str, str] | None = None,
    blocks_after: dict[str, tuple[int, Path]] | None = None,
    returned: dict[str, Path] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``tests.support.worker_proc`` and wait until it polls.

    ``blocks``: activity name -> marker file; that activity blocks forever once begun.
    ``blocks_after``: activity name -> (n, marker file); calls after the first n block.
    ``returned``: activity name -> marker file; a line is added each time it returned.
    """
    ready = tmp / f"ready-{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "tests.support.worker_proc", "--ready", str(ready)]
    if block_pdf:
        cmd += ["--block-pdf", str(block_pdf)]
    for name, marker in (blocks or {}).items():
        cmd += ["--block", name, str(marker)]
    for name, (count, marker) in (blocks_after or {}).items():
        cmd += ["--block-after", name, str(count), str(marker)]
    for name, marker in (returned or {}).items():
        cmd += ["--returned", name, str(marker)]
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


def end_groups(procs: Iterable[subprocess.Popen[str]], grace_s: float = 30.0) -> None:
    """End the process groups ``procs`` lead (started with ``start_new_session=True``).

    SIGTERM to every group first (the bench scripts cancel their main task and stop what
    they started), then SIGKILL for whatever is left after ``grace_s``: a script that hung
    or met a test's timeout leaves no worker behind. Harmless for groups already gone.
    """
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def stop_servers_under(root: Path) -> None:
    """Stop every embedded dev server and worker supervisor with a pid file under ``root``:
    they run in sessions of their own, out of reach of :func:`end_groups`."""
    pid_files = [*root.rglob(devserver.PID_FILE), *root.rglob(local_worker.PID_FILE)]
    for data_dir in {path.parent for path in pid_files}:
        local_worker.stop_embedded(data_dir)
