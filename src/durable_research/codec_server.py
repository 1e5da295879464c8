"""A codec server: lets the Temporal Web UI (and ``temporal`` CLI) show encrypted payloads.

``POST /encode`` and ``POST /decode`` take and return protobuf-JSON
``{"payloads": [...]}`` and apply the app's payload codec (``codec.py``) with this
machine's key. Whoever can call ``/decode`` can read every payload, so:

- it binds to 127.0.0.1 by default and then only answers requests whose ``Host``
  is a loopback name (no DNS rebinding);
- CORS allows only the Web UI's origin (``http://localhost:<ui port>`` and the
  ``127.0.0.1`` variant) with the headers ``content-type,x-namespace``; a request
  from any other origin is refused, and a JSON content type is required (so a
  browser always sends a preflight);
- on any non-loopback address it refuses to start without a bearer token
  (``RESEARCH_CODEC_TOKEN`` or ``--token``), which every request must then carry
  (``Authorization: Bearer <token>``).

Standard library only (``http.server``), one thread per request.
"""

from __future__ import annotations

import hmac
import json
import sys
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from durable_research.codec import EncryptionCodec, PayloadDecodeError, load_keyring
from durable_research.config import Settings
from durable_research.errors import ConfigError
from durable_research.loopback import is_loopback

DEFAULT_PORT = 8081
MAX_BODY = 16 * 1024 * 1024
ALLOWED_HEADERS = "content-type,x-namespace"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def ui_origins(settings: Settings) -> list[str]:
    """The Web UI's origins: ``http://localhost:<ui port>`` and ``http://127.0.0.1:<ui port>``."""
    from durable_research.devserver import split_address

    ui_port = settings.ui_port or split_address(settings.temporal_address)[1] + 1000
    return [f"http://localhost:{ui_port}", f"http://127.0.0.1:{ui_port}"]


def _host_name(host_header: str) -> str:
    """The host part of a ``Host`` header (``[::1]:8081`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class CodecServer:
    """The HTTP codec server; :meth:`start` runs it in a thread, :meth:`serve` in the caller.

    Args:
        codec: The payload codec (its keys decrypt; its current key encrypts).
        host: Address to bind; 127.0.0.1 by default.
        port: Port; 0 picks a free one.
        origins: Browser origins allowed by CORS (the Web UI's).
        token: Bearer token every request must carry; required off loopback.
        log: Where one line per request goes (never payload contents); None: quiet.

    Raises:
        ConfigError: A non-loopback address without a token.
    """

    def __init__(
        self,
        codec: EncryptionCodec,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        origins: Iterable[str] = (),
        token: str = "",
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.loopback = is_loopback(host)
        if not self.loopback and not token:
            raise ConfigError(
                f"The codec server would decrypt payloads for anyone who reaches {host}",
                "off loopback it needs a bearer token: set RESEARCH_CODEC_TOKEN (or --token) "
                "and send 'Authorization: Bearer <token>'; or bind to 127.0.0.1",
            )
        self.codec = codec
        self.origins = {o.rstrip("/") for o in origins}
        self.token = token
        self.log = log
        self.httpd = ThreadingHTTPServer((host.strip("[]"), port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL to give the Web UI (``--ui-codec-endpoint``)."""
        host = str(self.httpd.server_address[0])
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}"

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

    def authorised(self, header: str) -> bool:
        """Whether the ``Authorization`` header carries the token (or none is needed)."""
        if not self.token:
            return True
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        )

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
        if path == "/encode":
            result = self.codec.encode_sync(payloads.payloads)
        else:
            # Showing a plain payload as it is harms no one: pass those through.
            result = self.codec.decode_sync(payloads.payloads, accept_plain=True)
        return json_format.MessageToJson(Payloads(payloads=result)).encode()


def _handler(server: CodecServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "durable-research-codec"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            if server.log:
                server.log(f"{self.address_string()} {format % args}")

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Vary", "Origin")
            self.send_header("Cache-Control", "no-store")
            if body:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _error(self, status: int, message: str, cors: dict[str, str] | None = None) -> None:
            extra = dict(cors or {})
            if status == HTTPStatus.UNAUTHORIZED:
                extra["WWW-Authenticate"] = 'Bearer realm="codec"'
            self._send(status, json.dumps({"error": message}).encode(), extra)

        def _refused(self) -> tuple[bool, dict[str, str]]:
            """Common checks; True if an error response was sent."""
            origin = self.headers.get("Origin", "")
            cors = server.cors_headers(origin)
            if self.path not in ("/encode", "/decode"):
                self._error(HTTPStatus.NOT_FOUND, "only /encode and /decode", cors)
                return True, cors
            if server.loopback and _host_name(self.headers.get("Host", "")).lower() not in (
                LOOPBACK_NAMES
            ):
                self._error(HTTPStatus.FORBIDDEN, "Host must be a loopback name")
                return True, cors
            if origin and not cors:
                self._error(HTTPStatus.FORBIDDEN, f"origin {origin!r} is not allowed")
                return True, cors
            return False, cors

        def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
            refused, cors = self._refused()
            if not refused:
                self._send(HTTPStatus.NO_CONTENT if cors else HTTPStatus.FORBIDDEN, b"", cors)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            refused, cors = self._refused()
            if refused:
                return
            if not server.authorised(self.headers.get("Authorization", "")):
                self._error(HTTPStatus.UNAUTHORIZED, "a bearer token is required", cors)
                return
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json", cors)
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required", cors)
                return
            if length < 0 or length > MAX_BODY:
                self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large", cors)
                return
            body = self.rfile.read(length)
            try:
                out = server.apply(self.path, body)
            except PayloadDecodeError as exc:
                self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc), cors)
                return
            except ValueError as exc:
                self._error(HTTPStatus.BAD_REQUEST, str(exc), cors)
                return
            self._send(HTTPStatus.OK, out, cors)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "POST /encode or /decode")

    return Handler


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
) -> CodecServer:
    """Build (not start) the codec server for these settings' key and Web UI.

    Raises:
        ConfigError: No usable key, a malformed key, or a non-loopback address
            without a token.
    """
    default_host, default_port = endpoint_host_port(settings)
    keyring = load_keyring(settings, create=settings.encryption)
    if keyring.current is None and not keyring.by_id():
        raise ConfigError(
            "No payload key to serve",
            "set RESEARCH_PAYLOAD_KEY or RESEARCH_PAYLOAD_KEY_FILE (the workers' key)",
        )
    codec = EncryptionCodec(keyring, accept_plain=True, encrypt=keyring.current is not None)
    return CodecServer(
        codec,
        host=host or default_host,
        port=default_port if port is None else port,
        origins=[*ui_origins(settings), *extra_origins],
        token=settings.codec_token if token is None else token,
        log=log,
    )


def log_to_stderr(line: str) -> None:
    """Request log for the command line."""
    print(line, file=sys.stderr, flush=True)
