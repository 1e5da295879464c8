"""A subprocess's output read line by line in a thread, waited on by what it says."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from durable_research.config import Settings
from tests.support.cli import RESEARCH
from tests.support.processes import kill, spawn_worker
from tests.support.settings import settings_env


class Lines:
    """The lines ``proc`` wrote so far (``seen``), read from its text stdout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        """Start reading (stdout must be a text pipe)."""
        assert proc.stdout is not None
        self.proc = proc
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def until(self, needle: str, timeout: float) -> None:
        """Collect lines until one holds ``needle`` (fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not any(needle in line for line in self.seen):
            try:
                self.seen.append(self._lines.get(
                    timeout=max(deadline - time.monotonic(), 0.001)))
            except queue.Empty:
                pytest.fail(f"no {needle!r} within {timeout} s: {self.text[-3000:]}")

    def rest(self) -> None:
        """Collect what is left, once the process has ended (its pipe's end)."""
        self._reader.join()
        while not self._lines.empty():
            self.seen.append(self._lines.get())
        assert self.proc.stdout is not None
        self.proc.stdout.close()

    @property
    def text(self) -> str:
        """All lines collected so far."""
        return "".join(self.seen)


@contextmanager
def followed_run(settings: Settings, tmp: Path, question: str) -> Iterator[Lines]:
    """`research run QUESTION` followed in a subprocess, its report's LLM call held
    forever by a worker of its own: the lines once the report is being answered."""
    worker = spawn_worker(settings, tmp, blocks={"llm_call": tmp / "llm-call"})
    proc = subprocess.Popen([*RESEARCH, "run", question, "--no-worker"],
                            env=settings_env(settings), cwd=tmp,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = Lines(proc)
    try:
        lines.until("step: answering", 120)  # followed: the worker answers
        yield lines
    finally:
        proc.kill()
        proc.wait()
        lines.rest()
        kill(worker)
