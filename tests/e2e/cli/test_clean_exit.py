"""`research start` ends cleanly every time: exit 0, the id alone on stdout, no crash.

It used to die in the interpreter's teardown now and then (exit 134/139 after printing
the id); ``bench/exit_loop.py`` runs this 300 times, this test a quick 10.
"""

from __future__ import annotations

from pathlib import Path

from durable_research.config import Settings
from durable_research.testing.exit_check import run_start
from tests.support.settings import settings_env

RUNS = 10


def test_research_start_exits_cleanly_every_time(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    # Two at a time (each is a process of its own; bench/exit_loop.py --parallel does the same).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        ended = list(pool.map(lambda i: run_start(f"clean exit {i}", env, tmp_path), range(RUNS)))
    problems = [f"run {i}: {e.problem}: {e.stderr[-300:]!r}" for i, e in enumerate(ended)
                if e.problem]
    assert problems == []
    assert [e.unexpected_stderr for e in ended] == [""] * RUNS
    assert len({e.stdout.strip() for e in ended}) == RUNS  # a new workflow id each time
