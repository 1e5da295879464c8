"""``research web``: the browser front end (plus the embedded server and a worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

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
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    worker: Annotated[bool, typer.Option(
        help="Make sure a worker serves the reports (the embedded server's supervised one, "
        "or one in this process).")] = True,
) -> None:
    """Serve the web app: start reports, follow them live, review, download (Ctrl-C stops)."""
    from durable_research.web.server import check_binding, serve

    settings = settings_or_exit()
    check_binding(host, settings)  # before anything is started
    if worker:
        settings = llm_ready_settings(settings, None)

    def ready(server: uvicorn.Server) -> None:
        shown = f"[{host}]" if ":" in host else host
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        console.print(f"Web app at [bold]http://{safe(shown)}:{bound}[/] "
                      f"({'with a worker' if worker else 'no worker: run `research worker`'}"
                      "); Ctrl-C stops.", highlight=False)

    async def go() -> None:
        conn = await connect_cli(settings)
        # Ctrl-C: uvicorn stops; `friendly` says that the reports' state is safe.
        await serve(settings, conn, host, port, worker, on_ready=ready)

    run_async(go())


def register(app: typer.Typer) -> None:
    """Add the ``web`` command to ``app``."""
    app.command()(web)
