"""scripts/uv.sh makes the venv and runs the pinned uv.

Pure shell, run in a copy of the two files it reads, with a stand-in uv already in place
(nothing is downloaded).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT


def _copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("uv.sh", "uv-requirements.txt"):
        shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    want = next(line for line in (ROOT / "scripts" / "uv-requirements.txt").read_text()
                .splitlines() if line.startswith("uv==")).split("==")[1].split()[0]
    uv = repo / ".venv" / ".uv" / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    # The pinned version, as `uv --version` prints it; any other call prints its arguments.
    uv.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "uv {want}" && exit 0\n'
                  'echo "uv ran: $*"\n')
    uv.chmod(0o755)
    return repo


def test_the_venv_is_made_without_pip_when_this_python_has_one(tmp_path: Path) -> None:
    # ensurepip copied and installed pip into every new venv (~3 s of CPU of a fresh
    # install) only for uv.sh to install uv with it: this Python's pip does that.
    repo = _copy(tmp_path)
    # The interpreter the venv was made from: a venv made by uv.sh has no pip of its own.
    python: str = getattr(sys, "_base_executable", sys.executable)
    if subprocess.run([python, "-c", "import pip"], capture_output=True).returncode:
        pytest.skip(f"{python} has no pip: uv.sh makes a venv with pip for it")
    env = dict(os.environ, PYTHON=python)
    proc = subprocess.run(["bash", "scripts/uv.sh", "sync", "-q"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "uv ran: sync -q"
    venv_python = repo / ".venv" / "bin" / "python"
    has_pip = subprocess.run([str(venv_python), "-c", "import pip"], capture_output=True)
    assert venv_python.exists() and has_pip.returncode != 0
