"""``research mcp``: the research tools for AI assistants (MCP), over stdio or HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from durable_research.cli.common import (
    connect_cli,
    console,
    err,
    friendly,
    llm_ready_settings,
    run_async,
    settings_or_exit,
)
from durable_research.errors import UserError
from durable_research.terminal import safe


def source_roots(folders: list[Path]) -> list[Path]:
    """The ``--sources-root`` folders, resolved.

    Raises:
        UserError: One is not a folder.
    """
    roots = []
    for folder in folders:
        real = folder.expanduser().resolve()
        if not real.is_dir():
            raise UserError(f"--sources-root {folder} is not a folder",
                            "name a folder whose documents assistants may research")
        roots.append(real)
    return roots


@friendly
def mcp_cmd(
    http: Annotated[bool, typer.Option(
        "--http", help="Serve streamable HTTP on 127.0.0.1 (a new token at every start, "
                       "printed) instead of stdio.")] = False,
    port_text: Annotated[str, typer.Option(
        "--port", metavar="PORT", help="Port for --http (0: any).")] = "8765",
    worker: Annotated[bool, typer.Option(
        help="Make sure a worker serves the reports (the embedded server's supervised one, "
             "or one in this process).")] = True,
    sources_root: Annotated[list[Path] | None, typer.Option(
        "--sources-root", help="A folder whose documents the assistant may research "
                               "(repeatable); without it, local sources are off.")] = None,
) -> None:
    """Serve the research tools to an MCP client (Claude Desktop, Claude Code, ...).

    stdio (the default): the client starts this command and talks over stdin/stdout.

    --http: streamable HTTP at http://127.0.0.1:PORT/mcp for the token printed at start.
    """
    from durable_research.cli.ports import parse_port, refuse_busy_port
    from durable_research.mcp.http import HOST, endpoint, launch_access, serve_http
    from durable_research.mcp.server import serve_stdio
    from durable_research.mcp.tools import McpContext

    port = parse_port(port_text)
    settings = settings_or_exit()
    roots = source_roots(sources_root or [])
    # stdio: stdout carries the protocol, so everything else goes to stderr.
    out = console if http else err
    access = launch_access() if http else None
    if http:
        refuse_busy_port(HOST, port)
    if worker:
        settings = llm_ready_settings(settings, None, out=out)

    def ready(bound: int) -> None:
        assert access is not None
        console.print(f"MCP server (streamable HTTP); Ctrl-C stops. Endpoint:\n  "
                      f"[bold]{endpoint(access, bound)}[/]\nwith the header (this start "
                      f"only):\n  [bold]Authorization: Bearer {safe(access.token)}[/]",
                      highlight=False, soft_wrap=True)

    async def go() -> None:
        conn = await connect_cli(settings, out=out)
        ctx = McpContext(settings=settings, client=conn.client, source_roots=roots)
        if access is not None:
            await serve_http(ctx, access, port, worker, on_ready=ready)
        else:
            await serve_stdio(ctx, worker)

    run_async(go())


def register(app: typer.Typer) -> None:
    """Add the ``mcp`` command to ``app``."""
    app.command("mcp")(mcp_cmd)
