"""SMTP connections kept open between mails, per worker.

Connecting, greeting, STARTTLS and logging in cost several round trips and, with
TLS, a handshake's CPU on both ends; a worker mailing a batch of reports pays them
once per connection instead of once per mail. A connection is handed to one
sender at a time; one that fails in any way is closed, never reused.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage

# Servers drop idle clients after a minute or more (RFC 5321 asks for at least 5);
# a connection idle longer than this is closed rather than probed.
MAX_IDLE_S = 30.0
MAX_IDLE_CONNECTIONS = 8


class SmtpPool:
    """Idle SMTP connections of one worker, reused for the next mail."""

    def __init__(self, opener: Callable[[], smtplib.SMTP],
                 max_idle: int = MAX_IDLE_CONNECTIONS, max_idle_s: float = MAX_IDLE_S) -> None:
        """Open new connections with ``opener`` (greeted, secured, logged in)."""
        self._open = opener
        self._max_idle, self._max_idle_s = max_idle, max_idle_s
        self._idle: list[tuple[float, smtplib.SMTP]] = []
        self._lock = threading.Lock()

    def _take(self) -> smtplib.SMTP:
        """An idle connection that still answers, else a new one."""
        while True:
            with self._lock:
                if not self._idle:
                    break
                since, smtp = self._idle.pop()
            if time.monotonic() - since > self._max_idle_s:
                _close(smtp)
                continue
            try:
                # One round trip tells a live connection from one the server dropped,
                # before any part of the mail is sent on it.
                if smtp.noop()[0] == 250:
                    return smtp
            except (OSError, smtplib.SMTPException):
                pass
            _close(smtp)
        return self._open()

    def send(self, msg: EmailMessage, on_sent: Callable[[], None] | None = None) -> None:
        """Send ``msg`` on a pooled connection (blocking).

        ``on_sent`` runs in this thread the moment the server accepted the message, before
        anything else (the sent-mail ledger: the shorter that window, the fewer duplicate
        mails when the worker dies right after a send).
        """
        smtp = self._take()
        try:
            smtp.send_message(msg)
        except BaseException:
            _close(smtp)  # its state after a failure is unknown
            raise
        if on_sent is not None:
            on_sent()
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append((time.monotonic(), smtp))
                return
        _close(smtp)

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for _since, smtp in idle:
            _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.quit()
    with contextlib.suppress(OSError):
        smtp.close()
