"""Running the ``research`` command as a user would, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RESEARCH = [sys.executable, "-m", "durable_research.cli"]


def research(*args: str, env: dict[str, str], cwd: Path, timeout: float = 180,
             input: str | None = None) -> subprocess.CompletedProcess[str]:  # noqa: A002 - subprocess.run's name
    """Run the CLI like a user would, capturing its output."""
    return subprocess.run(
        [*RESEARCH, *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL,
    )


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A user mistake: exit code 2, a plain message, no traceback."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output
