"""``research web``: the browser front end (plus the embedded server and a worker)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from durable_research.access import NO_TOKEN_FLAG
from durable_research.cli.common import (
    connect_cli,
    console,
    friendly,
    llm_ready_settings,
    run_async,
    settings_or_exit,
)
from durable_research.terminal import safe

if TYPE_CHECKING:
    import uvicorn


@friendly
def web(
    host: Annotated[str, typer.Option(
        help="Address to bind; anything but loopback needs RESEARCH_WEB_TOKEN.")] = "127.0.0.1",
    port_text: Annotated[str, typer.Option(
        "--port", metavar="PORT", help="Port (0: any free one).")] = "8000",
    worker: Annotated[bool, typer.Option(
        help="Make sure a worker serves the reports (the embedded server's supervised one, "
        "or one in this process).")] = True,
    browser: Annotated[bool, typer.Option(
        help="Open the app (its login link) in the browser when there is a display.")] = True,
    insecure_no_token: Annotated[bool, typer.Option(
        NO_TOKEN_FLAG, help="DANGEROUS: no token on loopback. Every local process and "
        "user can then start reports on your accounts and read every report.")] = False,
) -> None:
    """Serve the web app: start reports, follow them live, review, download (Ctrl-C stops).

    Each request needs a token: a new one per start (printed as a link), or RESEARCH_WEB_TOKEN.
    """
    from durable_research.cli.browser import open_private_url
    from durable_research.cli.ports import parse_port, refuse_busy_port
    from durable_research.web.server import access_for, serve

    port = parse_port(port_text)
    settings = settings_or_exit()
    access = access_for(host, settings, insecure_no_token)  # before anything is started
    refuse_busy_port(host, port)
    if worker:
        settings = llm_ready_settings(settings, None)
    opened: list[Path] = []

    def ready(server: uvicorn.Server) -> None:
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        url = access.login_url(host, bound)
        how = "with a worker" if worker else "no worker: run `research worker`"
        console.print(f"Web app ({how}); Ctrl-C stops. Open:\n  [bold]{safe(url)}[/]",
                      highlight=False, soft_wrap=True)
        if not access.token:
            console.print(f"[red]{NO_TOKEN_FLAG}: every local process and user can use it.[/]")
        elif not access.launch:
            console.print("[dim]Log in with RESEARCH_WEB_TOKEN.[/]")
        if browser:
            page = open_private_url(url, settings.data_path, f"web-open-{os.getpid()}.html")
            if page is not None:
                opened.append(page)

    async def go() -> None:
        conn = await connect_cli(settings)
        # Ctrl-C: uvicorn stops; `friendly` says that the reports' state is safe.
        await serve(settings, conn, access, host, port, worker, on_ready=ready)

    try:
        run_async(go())
    finally:
        for page in opened:
            page.unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    """Add the ``web`` command to ``app``."""
    app.command()(web)
