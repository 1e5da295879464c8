"""Run ``research`` as a user does and judge how the process ended (tests, bench).

A command that has done its work can still die in the interpreter's teardown: a
Temporal client's native threads call back into Python while it finalizes
(``PyGILState_Release``), which aborts (exit 134 in a shell, SIGABRT here) or
segfaults (139, SIGSEGV) *after* the workflow id was printed. A script that
captured the id would then see a failed command for a started report.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from durable_research.research.language import LANGUAGE_LINE
from durable_research.research.websearch import WEB_SEARCH_LINES

# What only a crashing interpreter writes to stderr.
FATAL_MARKERS = (
    "Fatal Python error",
    "PyGILState",
    "Segmentation fault",
    "core dumped",
    "Aborted",
    "Traceback (most recent call last)",
)
WORKFLOW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
# `research start` explains on stderr what to do next; anything else there is noted.
START_HINT = "Started. A worker must be running"

# The command without the entry point's os._exit: the app returns through SystemExit and
# the interpreter finalizes normally, as it would without the mitigation.
_UNMITIGATED = (
    "import sys\n"
    "import durable_research.cli as cli\n"
    "app = cli.build_app() if hasattr(cli, 'build_app') else cli.app\n"
    "sys.argv[0] = 'research'\n"
    "app()\n"
)


def research_command(mitigated: bool = True) -> list[str]:
    """The ``research`` console script of this interpreter's environment.

    With ``mitigated=False``, the same app run without the entry point's ``os._exit``.
    """
    if not mitigated:
        return [sys.executable, "-c", _UNMITIGATED]
    script = Path(sys.executable).with_name("research")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "durable_research.cli"]


@dataclass(frozen=True)
class Ended:
    """How one ``research start`` process ended."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def problem(self) -> str:
        """Why this exit is abnormal, or '' for a clean one."""
        if self.returncode < 0:
            return f"killed by {signal.Signals(-self.returncode).name}"
        if self.returncode != 0:
            return f"exit code {self.returncode}"
        fatal = [m for m in FATAL_MARKERS if m in self.stderr]
        if fatal:
            return f"exit 0 but stderr shows {fatal[0]!r}"
        if not WORKFLOW_ID.fullmatch(self.stdout.strip()):
            return f"stdout is not the workflow id alone: {self.stdout[:80]!r}"
        return ""

    @property
    def unexpected_stderr(self) -> str:
        """Stderr other than the start hint, the web search and the language lines (one
        line each), '' when there is none."""
        lines = self.stderr.strip().splitlines()
        if lines and lines[0].startswith(WEB_SEARCH_LINES):
            lines = lines[1:]
        if lines and lines[0].startswith(LANGUAGE_LINE):
            lines = lines[1:]
        if len(lines) == 1 and lines[0].startswith(START_HINT):
            return ""
        return "\n".join(lines)


def run_start(prompt: str, env: dict[str, str], cwd: Path, timeout: float = 60,
              mitigated: bool = True) -> Ended:
    """Run ``research start PROMPT`` to the end and return how it ended."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run([*research_command(mitigated), "start", prompt], env=env,
                              cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        # A hang at exit is as bad as a crash: count it with a distinct code.
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Ended(124, out, err + f"\n(hung: killed after {timeout} s)",
                     time.monotonic() - t0)
    return Ended(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0)
