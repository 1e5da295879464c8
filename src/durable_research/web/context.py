"""What every request of the web app shares: settings, the Temporal client, secrets."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from durable_research import client as rc
from durable_research.access import Throttle
from durable_research.config import Settings
from durable_research.errors import ConfigError
from durable_research.web.left_out import LeftOut
from durable_research.web.sessions import SESSIONS_FILE, SessionStore

# Names of the two cookies the app sets.
CSRF_COOKIE = "research_csrf"
SESSION_COOKIE = "research_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# In the data dir: the key that signs CSRF tokens.
SECRET_FILE = "web.secret"
# The HTTP API (web/api.py): its documents under API_ROOT, its versioned actions under
# API_V1. Everything under API_ROOT answers in JSON, refusals and errors included.
API_ROOT = "/api"
API_V1 = f"{API_ROOT}/v1"
# Set in a request's state when it came with the right Authorization: Bearer token: a
# browser never sends that header cross-site, so such a request needs no CSRF token.
BEARER_STATE = "bearer"


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the HTTP API's (JSON answers) rather than a page's."""
    return path == API_ROOT or path.startswith(f"{API_ROOT}/")


def web_secret(data_dir: Path) -> bytes:
    """The key that signs CSRF tokens, created (0600) on first use.

    Kept in the data dir so a page opened before a restart of the web process can still
    submit its forms.

    Raises:
        ConfigError: The file cannot be created or read, or is not what we wrote.
    """
    from durable_research.private import create_private_exclusive, private_dir, private_file

    path = data_dir / SECRET_FILE
    try:
        private_dir(data_dir)
        create_private_exclusive(path, secrets.token_hex(32) + "\n")
        private_file(path)
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot use the web app's key file {path}: {exc}",
                          "make RESEARCH_DATA_DIR writable, or delete the damaged file") from None


@dataclass
class WebContext:
    """The app's shared state.

    Args:
        settings: Client-side settings (Temporal, store, limits).
        token: The access token every request needs (the launch token, or
            RESEARCH_WEB_TOKEN); empty only when the user opted out on loopback
            (``--insecure-no-token``).
        loopback: Whether the server is bound to a loopback address only; then
            requests must name a loopback host (no DNS rebinding).
        conn: An open connection (the CLI's, possibly to the embedded server); without
            one, the first request connects (and a later one retries if that failed).
    """

    settings: Settings
    token: str
    loopback: bool = True
    conn: rc.Connection | None = None
    # Signs CSRF tokens; empty: the data dir's (see web_secret).
    secret: bytes = b""
    # Logged-in browsers; default: the data dir's (see sessions.py).
    sessions: SessionStore | None = None
    # Wrong tokens per client address.
    throttle: Throttle = field(default_factory=Throttle)
    # Uploaded files a just-started report could not use, for its page (once).
    left_out: LeftOut = field(default_factory=LeftOut)
    # Set when the server shuts down: live streams end at once instead of being cut.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if not self.secret:
            self.secret = web_secret(self.settings.data_path)
        if self.sessions is None:
            self.sessions = SessionStore(self.settings.data_path / SESSIONS_FILE)

    async def client(self) -> Client:
        """The Temporal client, connecting on first use.

        Raises:
            TemporalUnavailableError: No server answers (never starts an embedded one:
                that is the CLI's decision, made once at start-up).
        """
        async with self._lock:
            if self.conn is None:
                self.conn = await rc.connect(self.settings, allow_embedded=False)
            return self.conn.client

    def csrf_token(self, cookie: str) -> str:
        """The form token that goes with a browser's CSRF cookie (signed double submit)."""
        return hmac.new(self.secret, cookie.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, cookie: str, sent: str) -> bool:
        """Whether ``sent`` is the token of ``cookie`` (constant-time)."""
        return bool(cookie) and hmac.compare_digest(self.csrf_token(cookie), sent)

    @property
    def store(self) -> SessionStore:
        """The session store (set in ``__post_init__``)."""
        assert self.sessions is not None
        return self.sessions

    def logged_in(self, session: str) -> bool:
        """Whether a session cookie belongs to a live session (or no token is needed)."""
        return not self.token or self.store.valid(session)
