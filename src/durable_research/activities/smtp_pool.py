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

from durable_research.mail.smtp import send_committing

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

    def send(self, msg: EmailMessage, commit: Callable[[], None],
             on_sent: Callable[[], None]) -> None:
        """Send ``msg`` on a pooled connection (blocking).

        ``commit`` runs just before the final "." of the message (see
        :func:`~durable_research.mail.smtp.send_committing`) and ``on_sent`` the moment the
        server accepted it, both in this thread (the sent-mail ledger).
        """
        smtp = self._take()
        try:
            send_committing(smtp, msg, commit)
        except BaseException:
            # Its state after a failure is unknown (perhaps mid-DATA, where a QUIT would be
            # read as message text and wait for a reply): drop the connection.
            with contextlib.suppress(OSError):
                smtp.close()
            raise
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
