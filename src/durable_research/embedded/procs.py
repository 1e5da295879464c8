"""Background helper processes (dev server, offline model): liveness, identity, stopping.

A pid file only says which pid *was* ours. Before anything is signalled the pid's
command line is checked (``/proc/<pid>/cmdline``, or ``ps`` where there is no
/proc) and, when it was recorded, its start time: a pid reused by an unrelated
process is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from durable_research.private import open_private

PROC = Path("/proc")
# A predicate on a process's argv: "is this the process we started?"
ArgvCheck = Callable[[list[str]], bool]


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a helper process that needs none of our secrets.

    The embedded Temporal server and the offline model's server get no LLM, SMTP, AWS
    or payload keys, tokens or passwords (``config.is_secret_var``): they would only
    sit in a long-lived process's environment. ``extra`` is added after filtering.
    """
    from durable_research.config import is_secret_var

    env = {k: v for k, v in os.environ.items() if not is_secret_var(k)}
    return {**env, **(extra or {})}


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists (zombies of our own children count)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmdline(pid: int) -> list[str] | None:
    """The argv of process ``pid``; None if it is gone or unreadable (an exited zombie: [])."""
    if pid <= 0:
        return None
    if PROC.is_dir():
        try:
            raw = (PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    try:  # macOS and other systems without /proc: approximate (spaces split paths)
        out = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.split() if out.returncode == 0 else None


def start_time(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot (Linux), to tell reused pids apart."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    try:
        # Field 22; the command name (field 2) may contain spaces, so split after ')'.
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def is_ours(pid: int, check: ArgvCheck, started: int | None = None) -> bool:
    """Whether ``pid`` runs and is the process we started.

    Args:
        pid: The recorded pid.
        check: Must accept the process's argv.
        started: The recorded :func:`start_time`; when given (and readable) it must match.
    """
    if not pid_alive(pid):
        return False
    argv = cmdline(pid)
    if not argv or not check(argv):
        return False
    if started is not None:
        now = start_time(pid)
        if now is not None and now != started:
            return False
    return True


def find_pids(check: ArgvCheck) -> list[int]:
    """Pids of running processes whose argv passes ``check`` (Linux; elsewhere: [])."""
    if not PROC.is_dir():
        return []
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        argv = cmdline(pid)
        if argv and check(argv):
            found.append(pid)
    return found


def option_value(argv: list[str], option: str) -> str | None:
    """The value of ``--option VALUE`` or ``--option=VALUE`` in ``argv``."""
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


# The servers we start and leave running (own session; stopped later by pid, reaped by
# terminate()): their Popen objects stay referenced here. A Popen collected while its
# process runs warns (ResourceWarning, an error under the test suite), and these
# processes are meant to outlive the call that started them.
_DETACHED: list[subprocess.Popen[bytes]] = []


def leave_running(proc: subprocess.Popen[bytes]) -> None:
    """Let ``proc`` outlive its caller's reference without a ResourceWarning."""
    _DETACHED[:] = [p for p in _DETACHED if p.poll() is None]
    _DETACHED.append(proc)


def terminate(pid: int, timeout_s: float = 15.0, check: ArgvCheck | None = None) -> bool:
    """SIGTERM ``pid``, wait up to ``timeout_s`` for it to exit, then SIGKILL it.

    Args:
        pid: The process.
        timeout_s: Grace period before SIGKILL.
        check: If given, the process's argv must pass it before each signal;
            otherwise nothing is sent.

    Returns:
        Whether a signal was sent.
    """
    if check is not None and not is_ours(pid, check):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child, or it stays a zombie
        except ChildProcessError:
            pass
        if check is not None and not is_ours(pid, check):
            _reap(pid, deadline)  # it exited: a zombie of ours would still look alive
            _forget(pid)
            return True
    if pid_alive(pid) and (check is None or is_ours(pid, check)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _forget(pid)
    return True


def _forget(pid: int) -> None:
    """Drop the ended ``pid`` from the servers left running, its exit status recorded.

    ``os.waitpid`` above reaps the process behind the Popen's back, so the Popen's
    ``returncode`` stays None and its ``__del__`` (at the latest when the interpreter
    exits) warns "subprocess N is still running"; ``wait()`` records it (0 once reaped
    elsewhere, the status otherwise; a SIGKILLed process takes a moment to end).
    """
    for proc in [p for p in _DETACHED if p.pid == pid]:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
            _DETACHED.remove(proc)


def _reap(pid: int, deadline: float) -> None:
    """Reap ``pid`` if it is our child, waiting (until ``deadline``) for it to be a zombie:
    its command line empties a moment before it can be reaped."""
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # not our child, or reaped already
        if done or time.monotonic() >= deadline:
            return
        time.sleep(0.01)


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created 0600) for the block."""
    with open_private(path, "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
