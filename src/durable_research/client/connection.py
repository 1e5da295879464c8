"""Connecting to Temporal: the configured server, or the embedded one started on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client, TLSConfig
from temporalio.service import RPCError

from durable_research.config import Settings
from durable_research.embedded import devserver
from durable_research.errors import ConfigError, TemporalUnavailableError


@dataclass
class Connection:
    """A client plus what was started to get it."""

    client: Client
    embedded: devserver.DevServerInfo | None = None


def _tls(settings: Settings) -> TLSConfig | bool:
    if not settings.uses_tls:
        return False

    def read(path: str, what: str) -> bytes | None:
        if not path:
            return None
        try:
            return Path(path).expanduser().read_bytes()
        except OSError as exc:
            raise ConfigError(f"Cannot read the {what} {path!r}: {exc.strerror}") from None

    return TLSConfig(
        server_root_ca_cert=read(settings.temporal_tls_ca, "TLS CA file (TEMPORAL_TLS_CA)"),
        client_cert=read(settings.temporal_tls_cert, "client certificate (TEMPORAL_TLS_CERT)"),
        client_private_key=read(settings.temporal_tls_key, "client key (TEMPORAL_TLS_KEY)"),
    )


async def connect(
    settings: Settings,
    allow_embedded: bool = True,
    on_event: Callable[[str], None] | None = None,
    on_server_launch: Callable[[], object] | None = None,
) -> Connection:
    """Connect to the configured Temporal; start the embedded server if allowed and needed.

    Every payload is encrypted by the settings' payload codec (``codec.data_converter``):
    this is the one place it is wired in; workers built from the client inherit it.

    ``on_server_launch``: called (in a thread) when the embedded server is started here,
    as soon as its process runs, while it boots (see ``devserver.start_dev_server``).

    Raises:
        TemporalUnavailableError: Nothing answers and no embedded server may be started.
        ConfigError: TLS files or the payload key are unreadable or malformed, or the
            address is malformed.
    """
    from durable_research.payloads.codec import data_converter

    converter = data_converter(settings)
    address = settings.temporal_address
    host, port = devserver.split_address(address)
    embedded: devserver.DevServerInfo | None = None
    local = devserver.is_local(address)
    if local and not devserver.port_open(host, port):
        if not (allow_embedded and settings.embedded == "auto"):
            raise TemporalUnavailableError(
                f"No Temporal server answers at {address}",
                "start one with `research server`, or check TEMPORAL_ADDRESS",
            )
        if on_event:
            on_event(f"No Temporal server at {address}; starting the embedded dev server")
        embedded = await asyncio.to_thread(
            devserver.start_dev_server,
            address,
            settings.data_path,
            settings.temporal_namespace,
            settings.ui_port,
            codec_endpoint=settings.ui_codec_endpoint,
            on_launch=on_server_launch,
        )
    tls = _tls(settings)
    # A server that just opened its port may need a moment before it serves RPCs.
    attempts = 40 if embedded else 1
    last: Exception | None = None
    for _ in range(attempts):
        try:
            client = await asyncio.wait_for(
                Client.connect(
                    address,
                    namespace=settings.temporal_namespace,
                    tls=tls,
                    api_key=settings.temporal_api_key or None,
                    data_converter=converter,
                ),
                timeout=15,
            )
            return Connection(client, embedded)
        except (RuntimeError, RPCError, TimeoutError) as exc:
            last = exc
            if attempts > 1:
                await asyncio.sleep(0.25)
    raise TemporalUnavailableError(
        f"Cannot connect to Temporal at {address} (namespace {settings.temporal_namespace!r})",
        f"{type(last).__name__}: {str(last)[:300]}; check TEMPORAL_ADDRESS, the TLS and "
        "API-key settings, or run `research server` for a local one",
    )


def ui_link(settings: Settings, conn: Connection, workflow_id: str) -> str:
    """Web UI link to a workflow, when a local UI runs: the embedded server's (none
    when it runs headless, the default), or the usual port of another local server."""
    if conn.embedded:
        base = conn.embedded.ui_url
    elif devserver.serves(settings.temporal_address, settings.data_path):
        base = devserver.running_ui_url(settings.data_path)
    elif devserver.is_local(settings.temporal_address):
        _host, port = devserver.split_address(settings.temporal_address)
        base = f"http://localhost:{settings.ui_port or port + 1000}"
    else:
        return ""
    if not base:
        return ""
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"
