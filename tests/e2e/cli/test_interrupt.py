"""Ctrl-C on a followed `research run` says once what happened and how to resume. Found
in a new user's trial: it printed "Stopped following ...; Resume with ..." and then
"Interrupted. Started workflows keep their state ..." over it, two messages for one act."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from durable_research.config import Settings
from tests.support.cli import RESEARCH
from tests.support.lines import Lines
from tests.support.processes import kill, spawn_worker
from tests.support.settings import settings_env

pytestmark = pytest.mark.slow


def test_ctrl_c_on_a_followed_run_says_it_once(settings: Settings, tmp_path: Path) -> None:
    # A worker whose LLM call never ends: the run is followed until the signal.
    worker = spawn_worker(settings, tmp_path, blocks={"llm_call": tmp_path / "llm-call"})
    proc = subprocess.Popen([*RESEARCH, "run", "stop following me", "--no-worker"],
                            env=settings_env(settings), cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = Lines(proc)
    try:
        lines.until("step: answering", 120)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
        lines.rest()
        kill(worker)
    out = lines.text
    assert code == 130, out
    assert "Traceback" not in out, out
    assert out.count("Stopped following") == 1, out
    assert "Resume with `research result" in out, out
    assert "Interrupted" not in out, out
