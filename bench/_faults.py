"""Faults for bench/chaos.py beyond SIGKILL: a full disk, and why an LLM call was paid twice."""

from __future__ import annotations

import errno
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20


class DiskFull:
    """A small tmpfs mounted on a folder, filled to the last byte on demand.

    Mounting needs root (as in the bench container); without it the fault is skipped and
    ``reason`` says why, so the run still reports everything else.
    """

    def __init__(self, folder: Path, size_mb: int = 256) -> None:
        """Mount a ``size_mb`` tmpfs on ``folder`` (created), or record why not."""
        self.folder = folder
        self.filler = folder / ".disk-full-filler"
        self.mounted = False
        self.reason = ""
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            self.reason = "needs root to mount a tmpfs"
            return
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755",
                               "tmpfs", str(folder)], capture_output=True, text=True)
        if proc.returncode:
            self.reason = f"mount failed: {proc.stderr.strip()}"
        else:
            self.mounted = True

    def fill(self) -> int:
        """Write zeros until ENOSPC; returns the bytes written (0 if not mounted)."""
        if not self.mounted:
            return 0
        written = 0
        # Unbuffered, so a failed write leaves nothing pending; smaller and smaller writes
        # take the last partial page too, so not even a tiny file fits afterwards.
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (CHUNK, 4096, 1):
                zeros = bytes(size)
                while True:
                    try:
                        written += os.write(fd, zeros)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        return written

    def free(self) -> None:
        """Delete the filler: the disk has room again."""
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        """Unmount (the files in it are gone afterwards)."""
        if self.mounted:
            self.free()
            subprocess.run(["umount", "-l", str(self.folder)], check=False)
            self.mounted = False


# Receiving, parsing and saving an answer takes milliseconds; on a loaded 2-core box a
# kill up to this long after the fake LLM sent it can still precede the save.
SAVE_WINDOW_S = 0.5


@dataclass
class Timeline:
    """When the controller killed what, to explain repeated LLM answers afterwards."""

    # The fake LLM route a worker calls under ("/victim3/v1") -> when it was killed.
    worker_killed: dict[str, float] = field(default_factory=dict)
    outages: list[tuple[float, float]] = field(default_factory=list)  # (down, up) epoch s

    def cause(self, route: str, start: float, end: float) -> str:
        """Why an answer that was later paid again did not count (see :func:`repeats`)."""
        killed = self.worker_killed.get(route)
        if killed is not None and start - 0.2 <= killed <= end:
            return "worker killed mid-call"
        # The worker keeps an answer (in the store) before it reports it, and a retry
        # returns the kept answer: only a kill in the moment between the provider's last
        # byte and that save costs a second call. Still mid-activity, not after completion.
        if killed is not None and end < killed <= end + SAVE_WINDOW_S:
            return "worker killed before it could keep the answer (< 0.5 s after it)"
        # A result is reported within milliseconds; one that was ready shortly before the
        # server went down, or while it was down, may never have reached it.
        for down, up in self.outages:
            if down - 2 <= end <= up:
                return "result lost in a server outage (answer received, not recorded)"
        if killed is not None and end < killed <= end + 5:
            return "worker killed after the answer, before reporting it"
        return "unexplained (a live worker's completed call was repeated)"


# Causes where the provider had answered and a live worker held the answer.
AFTER_COMPLETION = ("result lost in a server outage (answer received, not recorded)",
                    "worker killed after the answer, before reporting it",
                    "unexplained (a live worker's completed call was repeated)")


def repeats(answers: list[tuple[str, float, float]], timeline: Timeline) -> Counter[str]:
    """Causes of every answer but the last for one prompt (the last one was used)."""
    ordered = sorted(answers, key=lambda a: a[2])
    return Counter(timeline.cause(route, start, end) for route, start, end in ordered[:-1])
