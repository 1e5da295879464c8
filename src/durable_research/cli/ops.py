"""Operating commands: worker, server, cancel, doctor."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer
from temporalio.client import WorkflowFailureError

from durable_research import client as rc
from durable_research.cli.common import (
    connect_cli,
    console,
    friendly,
    llm_ready_settings,
    run_async,
    settings_or_exit,
)
from durable_research.contract.report import TASK_QUEUE
from durable_research.embedded import devserver, local_worker
from durable_research.errors import UserError
from durable_research.terminal import safe


@friendly
def worker_cmd(
    task_queue: Annotated[str | None, typer.Option(
        help=f"Task queue to poll (default: TEMPORAL_TASK_QUEUE, else '{TASK_QUEUE}').")] = None,
) -> None:
    """Run a worker until Ctrl-C. Start several, on any machines, to scale out."""
    from durable_research.client.workers import with_task_queue
    from durable_research.worker.build import build_worker

    settings = llm_ready_settings(with_task_queue(settings_or_exit(), task_queue), None)

    async def go() -> None:
        conn = await connect_cli(settings)
        w = build_worker(conn.client, settings)
        console.print(
            f"Worker polling task queue [bold]{safe(settings.task_queue)}[/] at "
            f"{settings.temporal_address} (namespace {settings.temporal_namespace}); Ctrl-C stops."
        )
        await w.run()

    run_async(go())


@friendly
def server(
    stop: Annotated[bool, typer.Option("--stop", help=(
        "Stop the embedded server, its supervised worker and the offline model's server."
    ))] = False,
    ui: Annotated[bool, typer.Option(
        "--ui", help="With Temporal's Web UI (no login: every local process and user, and "
        "web pages that rebind a name to 127.0.0.1, can cancel and terminate runs).")] = False,
) -> None:
    """Start the embedded Temporal dev server in the background.

    Its state is kept in SQLite; headless unless --ui.
    """
    if stop and ui:  # opposites: a server with its Web UI, and no server at all
        raise UserError("--ui starts the server with its Web UI; --stop stops it",
                        "give one of them: `research server --stop`, then "
                        "`research server --ui`")
    settings = settings_or_exit()
    data = settings.data_path
    if stop:
        from durable_research.embedded.localmodel import stop_local_llm

        if local_worker.stop_worker(data):
            console.print("Embedded worker stopped.")
        stopped = devserver.stop_server(data)
        console.print("Embedded Temporal server stopped." if stopped else "It was not running.")
        if stop_local_llm(data):
            console.print("Embedded offline model stopped.")
        return
    host, port = devserver.split_address(settings.temporal_address)
    if not devserver.is_local(settings.temporal_address):
        raise UserError(
            f"TEMPORAL_ADDRESS={settings.temporal_address} is not local",
            "the embedded server only runs on this machine; unset TEMPORAL_ADDRESS",
        )
    if devserver.port_open(host, port):
        pid = devserver.running_pid(data)
        who = f"the embedded server (pid {pid})" if pid else "another process"
        console.print(f"A Temporal server already answers at {settings.temporal_address}: {who}.")
        ui_url = devserver.running_ui_url(data) if pid else ""
        if ui_url:
            _print_ui(ui_url)
        elif pid and ui:
            console.print("[yellow]It runs without the Web UI: `research server --stop`, then "
                          "`research server --ui` (runs continue where they were).[/]")
    else:
        info = devserver.start_dev_server(
            settings.temporal_address, data, settings.temporal_namespace, settings.ui_port,
            headless=not ui, codec_endpoint=settings.ui_codec_endpoint,
        )
        console.print(f"Temporal dev server running (pid {info.pid}) at {info.address}")
        console.print(f"State: {info.db_file}   Log: {info.log_file}")
        if info.ui_url:
            _print_ui(info.ui_url)
    # Its worker, supervised, so `research run` needs no worker of its own.
    try:
        llm_ready_settings(settings, None)  # an LLM it can call: the offline model, else a check
    except UserError as exc:
        console.print(f"[yellow]No worker started: {safe(exc.message)}[/]")
        return
    sup = local_worker.ensure_worker(settings)
    if sup is not None:
        console.print(f"Worker supervisor running (pid {sup.pid}); log: {sup.log_file}")


def _print_ui(url: str) -> None:
    console.print(f"Web UI: {url}")
    console.print("[yellow]It has no login and answers any host name: every local process "
                  "and user, and a web page that rebinds its name to 127.0.0.1, can list, "
                  "cancel and terminate your runs (payloads stay encrypted). "
                  "`research server --stop` ends it.[/]")


@friendly
def cancel(
    workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
    worker: Annotated[bool, typer.Option(help="Host a worker until it is cancelled.")] = True,
) -> None:
    """Cancel a report; a running activity is told to stop through its heartbeat."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        await rc.cancel_report(conn.client, workflow_id)
        handle = conn.client.get_workflow_handle(workflow_id)
        console.print(f"Cancellation requested for {safe(workflow_id)}.")
        # The workflow acts on the request in a workflow task: make sure a worker runs
        # (the embedded server's, else one in this process) so it also ends then.
        w = None
        if worker and not local_worker.ensure_worker(settings):
            from durable_research.worker.build import build_worker  # imports litellm: seconds

            w = build_worker(conn.client, settings)
        try:
            async with contextlib.AsyncExitStack() as stack:
                if w:
                    await stack.enter_async_context(w)
                await asyncio.wait_for(handle.result(), timeout=60)
        except WorkflowFailureError:
            console.print("Cancelled.")
        except TimeoutError:
            console.print("[yellow]Not cancelled yet; it ends when a worker processes it.[/]")

    run_async(go())


@friendly
def doctor(
    llm: Annotated[bool, typer.Option("--llm", help="Also make one tiny LLM call.")] = False,
) -> None:
    """Check the set-up and say what is wrong.

    Configuration, Temporal and its workers, the LLM, SMTP, the output folder and fonts.

    Payload encryption, the artifact store, web search, MCP servers and the embedding model.
    """
    from durable_research.doctor.check import FAIL, OK
    from durable_research.doctor.run import run_checks

    settings = settings_or_exit()
    checks = run_async(run_checks(settings, llm))
    marks = {OK: "[green]✓[/]", FAIL: "[red]✗[/]"}
    for check in checks:
        console.print(f"{marks.get(check.level, '[yellow]![/]')} [bold]{check.name}[/]: "
                      f"{safe(check.message)}", highlight=False)
        if check.hint and check.level != OK:
            console.print(f"    [dim]{safe(check.hint)}[/]", highlight=False)
    if any(c.level == FAIL for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ops commands to ``app``."""
    app.command("worker")(worker_cmd)
    app.command()(server)
    app.command()(cancel)
    app.command()(doctor)
