"""The sent-mail ledger: which of a run's mails went out, kept in the artifact store.

In the store, not on a worker's disk: the retry of a send may run on another machine.
States: ``sending`` (nothing delivered yet, or the server said so), ``committing`` (the
whole message went out and only its final dot was left: a worker that died now may have
delivered it, so a retry does not send again), ``sent`` (the server accepted it).
"""

from __future__ import annotations

import hashlib
import json
from email.message import EmailMessage
from enum import StrEnum

from temporalio.exceptions import ApplicationError

from durable_research.store import ArtifactStore
from durable_research.store.errors import StoreError, StoreUnavailableError


class MailState(StrEnum):
    """A ledger entry's state."""

    NONE = ""
    SENDING = "sending"
    COMMITTING = "committing"
    SENT = "sent"


def ledger_name(message_key: str) -> str:
    """The entry's name inside the run's keys."""
    return f"mail/{hashlib.sha256(message_key.encode()).hexdigest()[:32]}.json"


def read_state(store: ArtifactStore, key: str) -> MailState:
    """The entry's state (an unreadable entry counts as ``sending``).

    Raises:
        ApplicationError: The store is unreachable (retryable): never guess "unsent".
    """
    try:
        if not store.exists(key):
            return MailState.NONE
        return MailState(json.loads(store.get(key)).get("state", MailState.SENT))
    except ValueError:
        return MailState.SENDING
    except StoreUnavailableError as exc:
        raise ApplicationError(str(exc), type="StoreUnavailable") from exc


def write_state(store: ArtifactStore, key: str, msg: EmailMessage, recipients: list[str],
                state: MailState) -> None:
    """Record a state (the store writes atomically: never an unreadable entry).

    Raises:
        ApplicationError: StoreUnavailable (retryable), or LedgerNotWritable: sending
            without a ledger could deliver the mail on every retry.
    """
    entry = json.dumps({"message_id": str(msg["Message-ID"]), "to": recipients,
                        "state": str(state)})
    try:
        store.put(key, entry.encode())
    except StoreUnavailableError as exc:
        raise ApplicationError(str(exc), type="StoreUnavailable") from exc
    except (OSError, StoreError) as exc:
        raise ApplicationError(
            f"Cannot write the sent-mail ledger ({exc}); not sending, so the mail can "
            "never be delivered twice", type="LedgerNotWritable", non_retryable=True,
        ) from exc
