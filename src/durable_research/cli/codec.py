"""``research codec-server``: lets the Temporal Web UI (and CLI) show decrypted payloads."""

from __future__ import annotations

from typing import Annotated

import typer

from durable_research.access import NO_TOKEN_FLAG
from durable_research.cli.common import console, friendly, settings_or_exit
from durable_research.terminal import safe


@friendly
def codec_server_cmd(
    host: Annotated[str | None, typer.Option(
        help="Address to bind (default 127.0.0.1, or TEMPORAL_UI_CODEC_ENDPOINT's).")] = None,
    port_text: Annotated[str | None, typer.Option(
        "--port", metavar="PORT",
        help="Port (default 8081, or TEMPORAL_UI_CODEC_ENDPOINT's).")] = None,
    token: Annotated[str | None, typer.Option(
        help="Token every request needs (default RESEARCH_CODEC_TOKEN, else a new one for "
             "this launch, printed); yours is required off loopback.")] = None,
    origin: Annotated[list[str] | None, typer.Option(
        "--origin", help="Another browser origin to allow (repeatable).")] = None,
    encode: Annotated[bool, typer.Option(
        "--encode", help="Also serve /encode (for starting or signalling workflows from "
        "the Web UI): whoever has the token can then seal inputs the workers accept.")] = False,
    insecure_no_token: Annotated[bool, typer.Option(
        NO_TOKEN_FLAG, help="DANGEROUS: no token on loopback. Every local process and "
        "user can then decrypt every payload (and encode, with --encode).")] = False,
) -> None:
    """Serve /decode (and /encode with --encode) for the Web UI and `temporal` (Ctrl-C stops)."""
    from durable_research.cli.ports import parse_port, port_taken
    from durable_research.payloads.codec_server import (
        codec_server_from_settings,
        endpoint_host_port,
        log_to_stderr,
    )

    port = None if port_text is None else parse_port(port_text)
    settings = settings_or_exit()
    try:  # it binds here
        srv = codec_server_from_settings(settings, host, port, token, origin or (),
                                         log_to_stderr, encode=encode,
                                         insecure_no_token=insecure_no_token)
    except OSError as exc:  # the port: in use, or the host is no address of this machine
        default_host, default_port = endpoint_host_port(settings)
        raise port_taken(host or default_host, default_port if port is None else port,
                         exc) from None
    ops = "/decode and /encode" if encode else "/decode only (--encode for /encode)"
    console.print(f"Codec server at [bold]{srv.url}[/]: {ops}; CORS: "
                  f"{', '.join(sorted(srv.origins))}", highlight=False)
    if not srv.token:
        console.print(f"[red]{NO_TOKEN_FLAG}: every local process and user can decrypt "
                      "your payloads.[/]")
        endpoint, auth = srv.url, ""
    elif srv.launch_token:
        endpoint, auth = srv.ui_endpoint, f" TEMPORAL_CODEC_AUTH='Bearer {srv.token}'"
    else:  # the user's own token is never echoed
        endpoint = f"{srv.url}/<RESEARCH_CODEC_TOKEN>"
        auth = " TEMPORAL_CODEC_AUTH='Bearer <RESEARCH_CODEC_TOKEN>'"
    console.print("Web UI: open its codec server settings (in your browser) and enter\n"
                  f"  [bold]{safe(endpoint)}[/]", highlight=False, soft_wrap=True)
    # Variables, not --codec-auth: a command line is visible to every local user (ps).
    console.print(f"[dim]temporal CLI: TEMPORAL_CODEC_ENDPOINT={safe(srv.url)}{safe(auth)} "
                  "temporal workflow show -w <id>[/]", highlight=False, soft_wrap=True)
    try:
        srv.serve()
    except KeyboardInterrupt:
        console.print("Codec server stopped.")


def register(app: typer.Typer) -> None:
    """Add the ``codec-server`` command to ``app``."""
    app.command("codec-server")(codec_server_cmd)
