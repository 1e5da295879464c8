"""Ctrl-C on a followed `research run` says once what happened and how to resume. Found
in a new user's trial: it printed "Stopped following ...; Resume with ..." and then
"Interrupted. Started workflows keep their state ..." over it, two messages for one act."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from durable_research.config import Settings
from tests.support.lines import followed_run

pytestmark = pytest.mark.slow


def test_ctrl_c_on_a_followed_run_says_it_once(settings: Settings, tmp_path: Path) -> None:
    with followed_run(settings, tmp_path, "stop following me") as lines:
        lines.proc.send_signal(signal.SIGINT)
        code = lines.proc.wait(timeout=60)
    out = lines.text
    assert code == 130, out
    assert "Traceback" not in out, out
    assert out.count("Stopped following") == 1, out
    assert "Resume with `research result" in out, out
    assert "Interrupted" not in out, out
