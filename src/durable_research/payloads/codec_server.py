"""A codec server: lets the Temporal Web UI (and ``temporal`` CLI) show encrypted payloads.

``POST /decode`` (and ``POST /encode`` when asked for) take and return protobuf-JSON
``{"payloads": [...]}`` and apply the app's payload codec (``codec.py``) with this
machine's key. Whoever can call ``/decode`` reads every payload, and whoever can call
``/encode`` can seal a start input the workers accept, so:

- every request needs the token (``RESEARCH_CODEC_TOKEN``, ``--token``, or one made
  for this launch), on loopback too: in the path (``/<token>/decode``: the Web UI
  cannot send headers, it only appends ``/decode`` to its endpoint) or as
  ``Authorization: Bearer <token>`` (``temporal --codec-auth``); wrong tokens are
  throttled per client. ``--insecure-no-token`` turns this off, on loopback only;
- ``/encode`` is off unless ``--encode`` (the Web UI needs it only to start or
  signal workflows with encrypted input);
- it binds to 127.0.0.1 by default and then only answers requests whose ``Host``
  is a loopback name (no DNS rebinding);
- CORS allows only the Web UI's origin (``http://localhost:<ui port>`` and the
  ``127.0.0.1`` variant) with the headers ``content-type,x-namespace`` (and
  ``authorization``); a request from any other origin is refused, and a JSON content
  type is required (so a browser always sends a preflight).

Standard library only (``http.server``), one thread per request.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from durable_research.access import (
    NO_TOKEN_FLAG,
    Throttle,
    checked_token,
    new_token,
    refuse_no_token_off_loopback,
    same_token,
)
from durable_research.config import Settings
from durable_research.errors import ConfigError
from durable_research.loopback import is_loopback
from durable_research.payloads.codec import EncryptionCodec, load_keyring
from durable_research.payloads.codec_handler import handler_for

DEFAULT_PORT = 8081
ALLOWED_HEADERS = "content-type,x-namespace"


def ui_origins(settings: Settings) -> list[str]:
    """The Web UI's origins: ``http://localhost:<ui port>`` and ``http://127.0.0.1:<ui port>``."""
    from durable_research.embedded.devserver import split_address

    ui_port = settings.ui_port or split_address(settings.temporal_address)[1] + 1000
    return [f"http://localhost:{ui_port}", f"http://127.0.0.1:{ui_port}"]


class CodecServer:
    """The HTTP codec server; :meth:`start` runs it in a thread, :meth:`serve` in the caller.

    Args:
        codec: The payload codec (its keys decrypt; its current key encrypts).
        host: Address to bind; 127.0.0.1 by default.
        port: Port; 0 picks a free one.
        origins: Browser origins allowed by CORS (the Web UI's).
        token: The token every request must carry (path or bearer header).
        log: Where one line per request goes (never payload contents); None: quiet.
        encode: Serve ``/encode`` too.
        insecure_no_token: No token (loopback only): every local process can decode.
        launch_token: The token was made for this launch (so it may be printed).

    Raises:
        ConfigError: No token without the opt-out, a token shorter than the minimum,
            or the opt-out off loopback.
    """

    def __init__(
        self,
        codec: EncryptionCodec,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        origins: Iterable[str] = (),
        token: str = "",
        log: Callable[[str], None] | None = None,
        *,
        encode: bool = False,
        insecure_no_token: bool = False,
        launch_token: bool = False,
    ) -> None:
        self.loopback = is_loopback(host)
        if insecure_no_token:
            if not self.loopback:
                refuse_no_token_off_loopback(host, "the codec server to decrypt payloads")
            token = ""
        elif not token:
            raise ConfigError(
                f"The codec server would decrypt payloads for anyone who reaches {host}",
                "give it a token: RESEARCH_CODEC_TOKEN or --token (the command makes one "
                f"for each launch), or {NO_TOKEN_FLAG} on loopback",
            )
        else:
            token = checked_token(token, "The codec server's token (RESEARCH_CODEC_TOKEN, --token)")
        self.codec = codec
        self.origins = {o.rstrip("/") for o in origins}
        self.token = token
        self.encode = encode
        self.launch_token = launch_token
        self.throttle = Throttle()
        self.log = log
        self.httpd = ThreadingHTTPServer((host.strip("[]"), port), handler_for(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL (for ``temporal --codec-endpoint``, with ``--codec-auth``)."""
        host = str(self.httpd.server_address[0])
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}"

    @property
    def ui_endpoint(self) -> str:
        """The endpoint to enter in the Web UI's codec settings: the token in its path."""
        return f"{self.url}/{quote(self.token, safe='')}" if self.token else self.url

    def start(self) -> CodecServer:
        """Serve in a daemon thread (tests)."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        """Serve until interrupted."""
        try:
            self.httpd.serve_forever()
        finally:
            self.httpd.server_close()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def cors_headers(self, origin: str) -> dict[str, str]:
        """CORS response headers for an allowed ``origin`` (none for others)."""
        if origin not in self.origins:
            return {}
        headers = ALLOWED_HEADERS + (",authorization" if self.token else "")
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": headers,
            "Access-Control-Max-Age": "600",
        }

    def route(self, path: str) -> tuple[str, str | None]:
        """The operation (``/encode``, ``/decode``, or ``""`` for anything else) and the
        token in the path (None: none there)."""
        path = urlsplit(path).path
        head, _, op = path.rpartition("/")
        op = f"/{op}" if op in ("encode", "decode") else ""
        if head == "":
            return op, None
        if head.count("/") == 1:
            return op, unquote(head[1:])
        return "", None

    def authorised(self, path_token: str | None, header: str) -> bool:
        """Whether the request carries the token, in its path or as a bearer header
        (or none is needed)."""
        if not self.token:
            return True
        if path_token is not None:
            return same_token(path_token, self.token)
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and same_token(value.strip(), self.token)

    def apply(self, path: str, body: bytes) -> bytes:
        """Encode or decode a protobuf-JSON ``Payloads`` body.

        Raises:
            ValueError: The body is not protobuf-JSON payloads.
            PayloadDecodeError: A payload cannot be decrypted.
        """
        try:
            payloads = json_format.Parse(body, Payloads())
        except json_format.ParseError as exc:
            raise ValueError(f"the body is not protobuf-JSON payloads: {exc}") from None
        if path.endswith("/encode"):
            result = self.codec.encode_sync(payloads.payloads)
        else:
            # Showing a plain payload as it is harms no one: pass those through.
            result = self.codec.decode_sync(payloads.payloads, accept_plain=True)
        return json_format.MessageToJson(Payloads(payloads=result)).encode()


def endpoint_host_port(settings: Settings) -> tuple[str, int]:
    """Where to bind by default: from ``TEMPORAL_UI_CODEC_ENDPOINT`` if set, else 127.0.0.1:8081."""
    if settings.ui_codec_endpoint:
        parts = urlsplit(settings.ui_codec_endpoint)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.hostname:
            if port is None:
                port = 443 if parts.scheme == "https" else 80
            return parts.hostname, port
    return "127.0.0.1", DEFAULT_PORT


def codec_server_from_settings(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    token: str | None = None,
    extra_origins: Iterable[str] = (),
    log: Callable[[str], None] | None = None,
    *,
    encode: bool = False,
    insecure_no_token: bool = False,
) -> CodecServer:
    """Build (not start) the codec server for these settings' key and Web UI.

    The token: ``token``, else RESEARCH_CODEC_TOKEN, else a new one for this launch
    (``server.launch_token`` says which, so only a launch token is printed).

    Raises:
        ConfigError: No usable key, a malformed key, a short token, or the opt-out
            off loopback.
    """
    default_host, default_port = endpoint_host_port(settings)
    keyring = load_keyring(settings, create=settings.encryption)
    if keyring.current is None and not keyring.by_id():
        raise ConfigError(
            "No payload key to serve",
            "set RESEARCH_PAYLOAD_KEY or RESEARCH_PAYLOAD_KEY_FILE (the workers' key)",
        )
    codec = EncryptionCodec(keyring, accept_plain=True, encrypt=keyring.current is not None)
    chosen = settings.codec_token if token is None else token
    bind = host or default_host
    if not chosen and not insecure_no_token and not is_loopback(bind):
        raise ConfigError(
            f"The codec server would decrypt payloads for anyone who reaches {bind}",
            "off loopback choose its token yourself: RESEARCH_CODEC_TOKEN or --token "
            "(a long random value, e.g. `openssl rand -hex 32`); serve it over TLS",
        )
    launch = not chosen and not insecure_no_token
    return CodecServer(
        codec,
        host=bind,
        port=default_port if port is None else port,
        origins=[*ui_origins(settings), *extra_origins],
        token=new_token() if launch else chosen,
        log=log,
        encode=encode,
        insecure_no_token=insecure_no_token,
        launch_token=launch,
    )


def log_to_stderr(line: str) -> None:
    """Request log for the command line."""
    print(line, file=sys.stderr, flush=True)
