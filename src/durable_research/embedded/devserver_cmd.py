"""The embedded dev server's command line (``temporal server start-dev ...``).

Every local user can read a process's command line (``ps``, ``/proc/<pid>/cmdline``),
and the Web UI hands its codec endpoint to anyone who asks (``/api/v1/settings``), so
nothing secret may go there: a codec endpoint that carries credentials is refused.
"""

from __future__ import annotations

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


def server_argv(port: int, db_file: Path, ui_port: int = 0, headless: bool = True,
                codec_endpoint: str = "", namespace: str = "default") -> list[str]:
    """The arguments after the ``temporal`` binary.

    Args:
        port: gRPC port (bound to 127.0.0.1).
        db_file: The SQLite file.
        ui_port: Web UI port; 0 means gRPC port + 1000.
        headless: No Web UI (the default: it has no login and answers any Host).
        codec_endpoint: The Web UI's codec server (only with the UI).
        namespace: Created at launch if it is not ``default``.

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
    return argv
