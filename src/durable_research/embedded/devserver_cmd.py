"""The embedded dev server's command line (``temporal server start-dev ...``).

Every local user can read a process's command line (``ps``, ``/proc/<pid>/cmdline``),
and the Web UI hands its codec endpoint to anyone who asks (``/api/v1/settings``), so
nothing secret may go there: a codec endpoint that carries credentials is refused.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from durable_research.errors import ConfigError

# Measured on a 2-core box: the default 20 polls/s adds ~45 ms before every task
# reaches a worker; WAL + normal sync raises persistent throughput ~2.4x.
FAST_FLAGS: tuple[str, ...] = (
    "--dynamic-config-value",
    "history.transferProcessorMaxPollRPS=1000",
    "--sqlite-pragma",
    "journal_mode=wal",
    "--sqlite-pragma",
    "synchronous=normal",
)
BIND_IP = "127.0.0.1"


def public_codec_endpoint(endpoint: str) -> str:
    """``endpoint`` if it carries nothing secret (no user part, path or query).

    Raises:
        ConfigError: It does: on the server's command line every local user could
            read it (e.g. the codec server's token in its path).
    """
    parts = urlsplit(endpoint)
    if parts.username or parts.password or parts.path.strip("/") or parts.query:
        raise ConfigError(
            "TEMPORAL_UI_CODEC_ENDPOINT carries a path, query or credentials (a token?): "
            "handed to the embedded server it would be on its command line and in its Web "
            "UI's settings, which every local user can read",
            "set it to the codec server's base URL (http://127.0.0.1:8081) or unset it, "
            "and enter the endpoint `research codec-server` prints in the Web UI's codec "
            "settings in your browser",
        )
    return endpoint


def _bound_socket() -> socket.socket:
    s = socket.socket()
    s.bind((BIND_IP, 0))
    return s


def side_ports(port: int, bind: Callable[[], socket.socket] = _bound_socket) -> tuple[int, int]:
    """Two free ports for the server's HTTP API and metrics, neither of them ``port``.

    Left to itself, the server picks them at random *before* its gRPC frontend binds
    ``port``, and Linux may hand out a port just released: the very ``port`` a caller
    found free a moment ago (a loaded suite run: "failed listening for HTTP API on
    127.0.0.1:33829 ... address already in use", the gRPC port, and the server exited).
    Both sockets are held while picking, so the two differ too.
    """
    held: list[socket.socket] = []
    try:
        found: list[int] = []
        while len(found) < 2:
            s = bind()
            held.append(s)
            candidate = int(s.getsockname()[1])
            if candidate != port and candidate not in found:
                found.append(candidate)
        return found[0], found[1]
    finally:
        for s in held:
            s.close()


def server_argv(port: int, db_file: Path, ui_port: int = 0, headless: bool = True,
                codec_endpoint: str = "", namespace: str = "default",
                http_port: int = 0, metrics_port: int = 0) -> list[str]:
    """The arguments after the ``temporal`` binary.

    Args:
        port: gRPC port (bound to 127.0.0.1).
        db_file: The SQLite file.
        ui_port: Web UI port; 0 means gRPC port + 1000.
        headless: No Web UI (the default: it has no login and answers any Host).
        codec_endpoint: The Web UI's codec server (only with the UI).
        namespace: Created at launch if it is not ``default``.
        http_port: The HTTP API's port; 0 leaves it to the server (at random).
        metrics_port: The metrics endpoint's port; 0 leaves it to the server.

    Raises:
        ConfigError: A codec endpoint with a secret in it.
    """
    argv = ["server", "start-dev", "--ip", BIND_IP, "--port", str(port),
            "--db-filename", str(db_file), "--log-level", "warn", *FAST_FLAGS]
    if headless:
        argv.append("--headless")
    else:
        argv += ["--ui-ip", BIND_IP, "--ui-port", str(ui_port or port + 1000),
                 "--ui-disable-news-fetch"]
        if codec_endpoint:
            argv += ["--ui-codec-endpoint", public_codec_endpoint(codec_endpoint)]
    if namespace != "default":
        argv += ["--namespace", namespace]
    if http_port:
        argv += ["--http-port", str(http_port)]
    if metrics_port:
        argv += ["--metrics-port", str(metrics_port)]
    return argv
