"""A server left running and later stopped by pid leaves no "still running" Popen behind.

``terminate`` reaps by pid (``os.waitpid``), behind the back of the ``Popen`` that
``leave_running`` keeps; that Popen then warned "subprocess N is still running" when the
interpreter exited (seen at the end of every xdist process of the suite).
"""

from __future__ import annotations

import subprocess
import sys

from durable_research.embedded import procs


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                            stdin=subprocess.DEVNULL)


def test_a_terminated_server_is_forgotten_with_its_exit_recorded() -> None:
    proc = _sleeper()
    procs.leave_running(proc)
    assert procs.terminate(proc.pid, timeout_s=10)
    assert proc.returncode is not None
    assert proc not in procs._DETACHED


def test_a_killed_server_is_forgotten_too() -> None:
    # SIGTERM ignored: terminate falls back to SIGKILL after its grace period.
    proc = subprocess.Popen(
        [sys.executable, "-c",
         "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "print('ready', flush=True); time.sleep(60)"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"  # its handler is set: the real signal
    procs.leave_running(proc)
    assert procs.terminate(proc.pid, timeout_s=0.2)
    proc.stdout.close()
    assert proc.returncode == -9
    assert proc not in procs._DETACHED
