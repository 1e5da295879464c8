"""The codec server's HTTP handler: checks (host, origin, token, throttle, operation,
size, content type) and the answers; the codec work is :meth:`CodecServer.apply`."""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from durable_research.loopback import host_name
from durable_research.payloads.binding import PayloadDecodeError

if TYPE_CHECKING:
    from durable_research.payloads.codec_server import CodecServer

MAX_BODY = 16 * 1024 * 1024
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def handler_for(server: CodecServer) -> type[BaseHTTPRequestHandler]:
    """The request handler class of ``server`` (``http.server`` wants a class)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "durable-research-codec"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            if server.log:
                line = format % args
                if server.token:  # the request line holds it when it came in the path
                    for shown in {server.token, quote(server.token, safe="")}:
                        line = line.replace(shown, "<token>")
                server.log(f"{self.address_string()} {line}")

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
            if not server.route(self.path)[0]:
                self._error(HTTPStatus.NOT_FOUND, "only /decode and /encode", cors)
                return True, cors
            if server.loopback and host_name(self.headers.get("Host", "")).lower() not in (
                LOOPBACK_NAMES
            ):
                self._error(HTTPStatus.FORBIDDEN, "Host must be a loopback name")
                return True, cors
            if origin and not cors:
                self._error(HTTPStatus.FORBIDDEN, f"origin {origin!r} is not allowed")
                return True, cors
            return False, cors

        def do_OPTIONS(self) -> None:
            refused, cors = self._refused()
            if not refused:
                self._send(HTTPStatus.NO_CONTENT if cors else HTTPStatus.FORBIDDEN, b"", cors)

        def do_POST(self) -> None:
            refused, cors = self._refused()
            if refused or not self._allowed(cors):
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
                out = server.apply(server.route(self.path)[0], body)
            except PayloadDecodeError as exc:
                self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc), cors)
                return
            except ValueError as exc:
                self._error(HTTPStatus.BAD_REQUEST, str(exc), cors)
                return
            self._send(HTTPStatus.OK, out, cors)

        def _allowed(self, cors: dict[str, str]) -> bool:
            """The token (throttled per client) and the operation; False if refused."""
            client = self.client_address[0]
            wait = server.throttle.retry_after(client)
            if wait:
                self._error(HTTPStatus.TOO_MANY_REQUESTS, "too many wrong tokens: wait",
                            {**cors, "Retry-After": str(math.ceil(wait))})
                return False
            op, path_token = server.route(self.path)
            if not server.authorised(path_token, self.headers.get("Authorization", "")):
                server.throttle.failed(client)
                self._error(HTTPStatus.UNAUTHORIZED, "the codec server's token is required "
                            "(in the path, /<token>/decode, or as a bearer header)", cors)
                return False
            server.throttle.succeeded(client)
            if op == "/encode" and not server.encode:
                self._error(HTTPStatus.FORBIDDEN, "/encode is off: start the codec server "
                            "with --encode to let the Web UI start or signal workflows", cors)
                return False
            return True

        def do_GET(self) -> None:
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "POST /decode or /encode")

    return Handler
