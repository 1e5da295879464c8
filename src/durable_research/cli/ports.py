"""The port a front end is to listen on, checked before anything starts.

uvicorn (``research web``, ``research mcp --http``) met a taken port with "ERROR: [Errno
98] error while attempting to bind ..." and exit 3, and ``research codec-server`` with a
traceback: a user mistake (another program, or a second start) deserves the usual line
and hint, exit 2.
"""

from __future__ import annotations

import os
import socket

from durable_research.errors import UserError

PORT_HINT = "choose another --port (0: any free one), or stop the program that listens there"
# What a port option takes (0: any free one).
MAX_PORT = 65535


def parse_port(raw: str, what: str = "--port") -> int:
    """A port option as typed: read as text so that a mistake gets the client's one line
    (click said "'x' is not a valid int range"; an unbounded one reached bind()'s
    OverflowError, a traceback).

    Raises:
        UserError: Not a whole number from 0 to 65535.
    """
    from durable_research.client.numbers import parse_bounded

    return parse_bounded(raw, what, 0, MAX_PORT)


def port_taken(host: str, port: int, exc: OSError) -> UserError:
    """The refusal of a ``host:port`` that could not be bound (``exc``)."""
    # The errno's own words: socket.create_server appends the address to strerror.
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return UserError(f"Cannot listen on {host}:{port}: {reason}", PORT_HINT)


def refuse_busy_port(host: str, port: int) -> None:
    """Bind ``host:port`` once and let it go, as the server will bind it (SO_REUSEADDR,
    like asyncio's servers), so a port in use is refused before the server starts.

    Raises:
        UserError: It cannot be bound (in use, or not an address of this machine).
    """
    if port == 0:  # any free port: always available
        return
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise port_taken(host, port, exc) from None
