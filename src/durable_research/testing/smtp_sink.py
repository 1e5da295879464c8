"""A real SMTP server on 127.0.0.1 that records what it receives (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller

from durable_research.testing.ports import free_port


@dataclass(frozen=True)
class Received:
    """One delivered message."""

    recipients: list[str]
    content: bytes
    # Epoch seconds of delivery, to line deliveries up with injected faults.
    received_at: float = 0.0

    @property
    def message_id(self) -> str:
        """The Message-ID header."""
        return str(message_from_bytes(self.content).get("Message-ID", ""))

    @property
    def headers(self) -> bytes:
        """The raw header block."""
        return self.content.split(b"\r\n\r\n", 1)[0]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.sink.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        if self.sink.hold_data:
            # The whole message is here, the reply not yet sent: the window a client's
            # "committed, not yet confirmed" state covers. Tests act in it, then release.
            self.sink.holding.set()
            await asyncio.to_thread(self.sink.release.wait)
        if self.sink.drop_now():
            # Cut the connection before the reply to DATA: the client has sent the whole
            # message but never hears 250, as when a server crashes or the network fails
            # mid-DATA. Nothing is delivered; the reply below goes nowhere.
            server.transport.abort()
            return "421 4.3.0 connection dropped"
        if self.sink.reject_data:
            # The server refuses the message itself (policy, size, spam): a permanent
            # reply the client gets in full, nothing delivered.
            with self.sink.lock:
                self.sink.rejected += 1
            return self.sink.reject_data
        with self.sink.lock:
            self.sink.messages.append(
                Received(list(envelope.rcpt_tos), bytes(envelope.content), time.time())
            )
        return "250 OK"


class SmtpSink:
    """Start with ``with SmtpSink() as sink:``; ``sink.messages`` holds what arrived."""

    def __init__(self, refuse_recipients: bool = False, drop_data: float = 0.0,
                 drop_first: int = 0, hold_data: bool = False, reject_data: str = "") -> None:
        """Create the sink; with ``refuse_recipients`` every RCPT gets a 550.

        ``drop_data`` is the share (0-1) of messages whose connection is dropped mid-DATA,
        before the server answers; it may be changed while the sink runs. ``drop_first``
        drops the first that many messages whatever the share. With ``hold_data`` each
        message waits, complete but unanswered, until ``release`` is set (``holding`` is
        set while one waits). ``reject_data`` is the reply every DATA gets instead of
        250 (e.g. "554 5.7.1 rejected"), counted in ``rejected``.
        """
        self.hold_data = hold_data
        self.holding = threading.Event()
        self.release = threading.Event()
        self.refuse_recipients = refuse_recipients
        self.drop_data = drop_data
        self.drop_first = drop_first
        self.reject_data = reject_data
        self.rejected = 0
        self.dropped = 0
        self._random = random.Random(0)
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        """Serve on 127.0.0.1 in aiosmtpd's own thread."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def drop_now(self) -> bool:
        """Whether to drop this message's connection (counted in ``dropped``)."""
        with self.lock:
            drop = self.dropped < self.drop_first or (
                self.drop_data > 0 and self._random.random() < self.drop_data)
            self.dropped += drop
            return drop

    def message_ids(self) -> list[str]:
        """Message-IDs of all deliveries so far (duplicates included)."""
        with self.lock:
            return [m.message_id for m in self.messages]

    def times_of(self, mid: str) -> list[float]:
        """Epoch times at which ``mid`` was delivered."""
        with self.lock:
            return [m.received_at for m in self.messages if m.message_id == mid]
