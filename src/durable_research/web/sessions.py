"""Login sessions of the web app, kept server-side so they can end.

A session cookie holds a random id; the store keeps only its SHA-256 and its expiry,
in ``<data dir>/web-sessions.json`` (0600). Kept on disk so a restarted web process
(or a second one on the same data dir) still knows the browsers that logged in;
logging out deletes the entry, so a copied cookie stops working everywhere, and every
session ends after :data:`SESSION_TTL_S` at the latest.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from durable_research.embedded.procs import file_lock
from durable_research.private import private_dir, write_private

# A working day plus a night: a report waiting for review the next morning needs a
# new login (the printed URL, or the token), a stolen cookie is worthless after it.
SESSION_TTL_S = 24 * 3600
# Sessions kept at once (each is a successful login); the oldest go first.
MAX_SESSIONS = 256
SESSIONS_FILE = "web-sessions.json"


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Session ids -> expiry, shared through a private file.

    Args:
        path: The file (its folder is made 0700, the file 0600).
        ttl_s: Lifetime of a session from its login.
        clock: Wall-clock seconds (tests move it).
    """

    def __init__(self, path: Path, ttl_s: float = SESSION_TTL_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self.clock = clock
        self._sessions: dict[str, float] = {}
        self._stamp: tuple[int, int, int] | None = None

    def create(self) -> str:
        """A new session id, valid for ``ttl_s``."""
        session_id = secrets.token_urlsafe(32)
        with self._update() as sessions:
            sessions[_digest(session_id)] = self.clock() + self.ttl_s
        return session_id

    def valid(self, session_id: str) -> bool:
        """Whether ``session_id`` was created here (or by a process on the same data
        dir), is not revoked and has not expired."""
        if not session_id:
            return False
        self._refresh()
        expiry = self._sessions.get(_digest(session_id))
        return expiry is not None and expiry > self.clock()

    def revoke(self, session_id: str) -> None:
        """End a session (logout)."""
        with self._update() as sessions:
            sessions.pop(_digest(session_id), None)

    def _refresh(self) -> None:
        """Re-read the file when another process (or a restart) changed it."""
        try:
            st = self.path.stat()
        except OSError:
            self._sessions, self._stamp = {}, None
            return
        # Every write replaces the file (a new inode): any change shows here.
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._sessions, self._stamp = self._read(), stamp

    def _read(self) -> dict[str, float]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a damaged file: everyone logs in again
        if not isinstance(raw, dict):
            return {}
        return {str(k): float(v) for k, v in raw.items() if isinstance(v, (int, float))}

    @contextmanager
    def _update(self) -> Iterator[dict[str, float]]:
        """Read-modify-write of the file under its lock; expired and surplus entries go."""
        private_dir(self.path.parent)
        with file_lock(self.path.with_name(self.path.name + ".lock")):
            sessions = self._read()
            yield sessions
            now = self.clock()
            live = sorted(((expiry, key) for key, expiry in sessions.items() if expiry > now),
                          reverse=True)[:MAX_SESSIONS]
            write_private(self.path, json.dumps({key: expiry for expiry, key in live}))
        self._stamp = None
        self._refresh()
