"""The sent-mail ledger: which of a run's mails went out, kept in the artifact store.

In the store, not on a worker's disk: the retry of a send may run on another machine.
States: ``sending`` (nothing delivered yet, or the server said so), ``committing`` (the
whole message went out and only its final dot was left: a worker that died now may have
delivered it, so a retry does not send again), ``sent`` (the server accepted it).

An attempt that is sending keeps its entry fresh (``at``, rewritten every
``LEASE_REFRESH_S``): another attempt of the same send that finds a fresh ``sending`` or
``committing`` entry waits for it to end, since the first one may still deliver or still
fail (its worker was only presumed dead: a server outage, a stalled event loop). Only a
stale entry is an attempt that died: ``sending`` then means nothing was delivered (send),
``committing`` that nobody can know (say so; never "sent").
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum

from temporalio.exceptions import ApplicationError

from durable_research.errors import FailureType, StoreError
from durable_research.store import ArtifactStore
from durable_research.store.errors import StoreUnavailableError


class MailState(StrEnum):
    """A ledger entry's state."""

    NONE = ""
    SENDING = "sending"
    COMMITTING = "committing"
    SENT = "sent"


# How often a sending attempt rewrites its entry, and how old an entry must be before
# another attempt takes its writer for dead. The SMTP reply to the final dot may take
# the connection's whole timeout (60 s) but the entry is rewritten meanwhile; the lease
# covers the refresh's own delays (a loaded worker, a slow store) several times over.
LEASE_REFRESH_S = 3.0
LEASE_S = 20.0


@dataclass(frozen=True)
class Entry:
    """A ledger entry: its state, and when its writer last wrote it (epoch seconds)."""

    state: MailState
    at: float = 0.0

    def fresh(self, now: float | None = None) -> bool:
        """Whether its writer may still be at work (it wrote within the lease)."""
        return (time.time() if now is None else now) - self.at < LEASE_S


def read_entry(store: ArtifactStore, key: str) -> Entry:
    """The entry (an unreadable one counts as a stale ``sending``; entries written before
    leases have no time: stale).

    Raises:
        ApplicationError: The store is unreachable (retryable): never guess "unsent".
    """
    try:
        if not store.exists(key):
            return Entry(MailState.NONE)
        data = json.loads(store.get(key))
        return Entry(MailState(data.get("state", MailState.SENT)), float(data.get("at", 0.0)))
    except (ValueError, TypeError, AttributeError):
        return Entry(MailState.SENDING)
    except StoreUnavailableError as exc:
        raise ApplicationError(str(exc), type=FailureType.STORE_UNAVAILABLE) from exc


def write_state(store: ArtifactStore, key: str, msg: EmailMessage, recipients: list[str],
                state: MailState, at: float | None = None) -> None:
    """Record a state, written now unless ``at`` says otherwise (the store writes
    atomically: never an unreadable entry).

    Raises:
        ApplicationError: StoreUnavailable (retryable), or LedgerNotWritable: sending
            without a ledger could deliver the mail on every retry.
    """
    entry = json.dumps({"message_id": str(msg["Message-ID"]), "to": recipients,
                        "state": str(state), "at": time.time() if at is None else at})
    try:
        store.put(key, entry.encode())
    except StoreUnavailableError as exc:
        raise ApplicationError(str(exc), type=FailureType.STORE_UNAVAILABLE) from exc
    except (OSError, StoreError) as exc:
        raise ApplicationError(
            f"Cannot write the sent-mail ledger ({exc}); not sending, so the mail can "
            "never be delivered twice", type=FailureType.LEDGER_NOT_WRITABLE, non_retryable=True,
        ) from exc


class Lease:
    """One attempt's hold on its entry while it sends: the state it is in, rewritten with
    the time on every :meth:`refresh` (a lock keeps a refresh from writing an older state
    over a newer one)."""

    def __init__(self, store: ArtifactStore, key: str, msg: EmailMessage,
                 recipients: list[str]) -> None:
        """Hold ``key`` for sending ``msg`` (nothing written yet)."""
        self._args = (store, key, msg, recipients)
        self._lock = threading.Lock()
        self.state = MailState.NONE

    def write(self, state: MailState) -> None:
        """Move to ``state`` and record it (raises as :func:`write_state`)."""
        with self._lock:
            write_state(*self._args, state)
            self.state = state

    def refresh(self) -> None:
        """Record the current state again, now (nothing once the send has ended)."""
        with self._lock:
            if self.state in (MailState.SENDING, MailState.COMMITTING):
                write_state(*self._args, self.state)

    def release(self) -> None:
        """The send failed where this attempt saw it: nothing was confirmed, so the next
        attempt may send at once (a stale ``sending``)."""
        with self._lock:
            write_state(*self._args, MailState.SENDING, at=0.0)
            self.state = MailState.NONE
