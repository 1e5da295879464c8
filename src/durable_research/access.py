"""Secrets of the local listeners (``research web``, ``research codec-server``).

Loopback is not a boundary: every process of every user on the machine can connect
to 127.0.0.1. So each listener needs a secret, as Jupyter does: a per-launch token
(printed as a URL) unless the user sets one, or opts out explicitly. This module
holds what they share: the token rules, the comparison, and the throttle on guesses.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from durable_research.errors import ConfigError
from durable_research.loopback import is_loopback

# 32 characters: 160+ bits even for a token of letters and digits only. A per-launch
# token is 43 characters (32 random bytes, URL-safe base64).
MIN_TOKEN_CHARS = 32
# Wrong tokens a client may send within the window before it must wait.
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0
# Clients remembered at once; the oldest are forgotten first (bounded memory).
MAX_CLIENTS = 4096
# The command-line flag that turns the token off (loopback only).
NO_TOKEN_FLAG = "--insecure-no-token"
# The query parameter of a launch link (``/?token=...``), as Jupyter's.
TOKEN_PARAM = "token"


def new_token() -> str:
    """A per-launch token: 32 random bytes, URL-safe (fits a query string or a path)."""
    return secrets.token_urlsafe(32)


def checked_token(value: str, source: str) -> str:
    """``value`` if it is long enough to be a secret.

    Args:
        value: The token (stripped of surrounding blanks).
        source: Where it came from, for the message (``RESEARCH_WEB_TOKEN``, ``--token``).

    Raises:
        ConfigError: Shorter than :data:`MIN_TOKEN_CHARS`.
    """
    value = value.strip()
    if len(value) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"{source} must be at least {MIN_TOKEN_CHARS} characters long "
            f"(it has {len(value)}): a short token can be guessed",
            "use a long random value, e.g. `openssl rand -hex 32`, or leave it unset "
            "for a new token at every start",
        )
    return value


def same_token(sent: str, token: str) -> bool:
    """Whether ``sent`` is ``token``, in constant time (no timing hints)."""
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


def refuse_no_token_off_loopback(host: str, what: str) -> None:
    """The opt-out is for loopback only.

    Raises:
        ConfigError: Always (call it when ``host`` is not loopback).
    """
    raise ConfigError(
        f"{NO_TOKEN_FLAG} is refused on {host}: anyone who reaches that address could "
        f"use {what}",
        f"drop {NO_TOKEN_FLAG}, or bind to 127.0.0.1",
    )


class Throttle:
    """Counts wrong tokens per client; past ``max_failures`` within ``window_s`` the
    client must wait until the window that began with its first failure is over.

    Thread-safe (the codec server answers in threads). At most ``max_clients``
    clients are remembered; the least recently failing are forgotten first, so a
    flood of addresses costs bounded memory (and at worst forgets a guesser early).
    """

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_clients = max_clients
        self.clock = clock
        # client -> (start of its window, failures in it)
        self._failures: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, client: str) -> float:
        """Seconds ``client`` must wait before its next attempt (0: it may try now)."""
        with self._lock:
            entry = self._current(client)
            if entry is None or entry[1] < self.max_failures:
                return 0.0
            return max(entry[0] + self.window_s - self.clock(), 0.0)

    def failed(self, client: str) -> None:
        """Count a wrong token from ``client``."""
        with self._lock:
            entry = self._current(client)
            start, count = entry if entry is not None else (self.clock(), 0)
            self._failures[client] = (start, count + 1)
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        """Forget ``client``'s failures (it knows the token)."""
        with self._lock:
            self._failures.pop(client, None)

    def _current(self, client: str) -> tuple[float, int] | None:
        entry = self._failures.get(client)
        if entry is not None and self.clock() - entry[0] >= self.window_s:
            del self._failures[client]
            return None
        return entry


@dataclass(frozen=True)
class Access:
    """Who may use a local listener: the token every request needs, decided once at start.

    Args:
        token: The launch token or the configured one; empty only when the user opted
            out on loopback (``--insecure-no-token``).
        loopback: Bound to loopback only (then the Host header must be loopback too).
        launch: The token was made for this launch (so it may be printed: it is no
            configured secret, and it ends with the process).
    """

    token: str
    loopback: bool
    launch: bool = False

    def base_url(self, host: str, port: int) -> str:
        """``http://host:port/`` as a browser or client reaches it."""
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{port}/"

    def login_url(self, host: str, port: int) -> str:
        """The URL to print and open: with the launch token in it (as Jupyter's), or
        without a configured token (never echoed)."""
        base = self.base_url(host, port)
        return f"{base}?{TOKEN_PARAM}={self.token}" if self.launch else base


def access_for(host: str, configured: str, variable: str, what: str,
               insecure_no_token: bool = False) -> Access:
    """The access rule for serving on ``host``: a token always (the configured one, or
    one made for this launch on loopback), unless opted out on loopback.

    Args:
        configured: The token the user set (``variable``'s value), or "".
        variable: Its setting's name, for messages (``RESEARCH_WEB_TOKEN``).
        what: What the listener hands out, for the refusal off loopback.

    Raises:
        ConfigError: A configured token shorter than the minimum; off loopback, no
            configured token, or the opt-out.
    """
    loopback = is_loopback(host)
    if insecure_no_token:
        if not loopback:
            refuse_no_token_off_loopback(host, what)
        return Access(token="", loopback=True)
    if configured:
        return Access(checked_token(configured, variable), loopback)
    if not loopback:
        raise ConfigError(
            f"Refusing to serve on {host} without {variable}: off loopback, choose the "
            "token yourself (and serve it over HTTPS)",
            f"set {variable} to a long random value (e.g. `openssl rand -hex 32`), "
            "or bind to 127.0.0.1 (a new token is made at every start)",
        )
    return Access(new_token(), loopback, launch=True)
