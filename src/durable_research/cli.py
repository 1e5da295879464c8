"""The ``research`` command line: run, start, status, result, worker, server, cancel."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from typing import Annotated

import typer
from rich.table import Table
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research import devserver
from durable_research.cli_common import (
    MAX_PROMPT_CHARS,
    app,
    build_input,
    console,
    err,
    friendly,
    print_result,
    run_async,
    settings_or_exit,
    ui_link,
)
from durable_research.config import Settings
from durable_research.errors import ReportFailedError, UserError
from durable_research.shared import ReportInput, ReportResult

# Read a little past the limit so an oversized file gets the clear "too long" error.
MAX_PROMPT_READ = MAX_PROMPT_CHARS + 1
PromptArg = Annotated[str | None, typer.Argument(help="The research question.")]
ReviewOpt = Annotated[bool, typer.Option("--review", help="Wait for a human review of the draft.")]
FormatOpt = Annotated[str, typer.Option("--format", help="Comma-separated: pdf,md,html.")]
OutOpt = Annotated[str | None, typer.Option("--out", help="Output directory.")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace an existing report of the same name.")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="Mail the report to these.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="litellm model, e.g. openai/gpt-4o.")]
IdOpt = Annotated[str | None, typer.Option("--id", help="Workflow id (default: generated).")]
FileOpt = Annotated[
    str | None, typer.Option("--file", help="Read the question from a file ('-': stdin).")
]


def read_prompt(prompt: str | None, prompt_file: str | None) -> str | None:
    """The question from the argument or from ``--file`` (not both)."""
    if prompt_file is None:
        return prompt
    if prompt:
        raise UserError("Give the question either as an argument or with --file, not both")
    try:
        if prompt_file == "-":
            text = sys.stdin.read(MAX_PROMPT_READ)
        else:
            with open(prompt_file, encoding="utf-8") as f:
                text = f.read(MAX_PROMPT_READ)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the question from {prompt_file}: {exc}") from None
    if len(text) > MAX_PROMPT_CHARS:
        raise UserError(
            f"The question in {prompt_file} is over {MAX_PROMPT_CHARS:,} characters long, "
            "the limit",
            "put the essentials of the question in the file",
        )
    return text


def llm_ready_settings(settings: Settings, model: str | None) -> Settings:
    """Settings with which this process (it hosts a worker) can call the LLM.

    With no provider configured, the embedded offline model is started (or
    reused) and its endpoint filled in; otherwise the configuration is checked.
    """
    from dataclasses import replace

    from durable_research import localmodel
    from durable_research.config import check_llm_settings

    if not model:
        with console.status("starting the embedded offline model..."):
            filled, ep = localmodel.settings_with_local_llm(settings)
        if ep is not None:
            console.print(
                f"[dim]Using {ep.description}: no LLM_MODEL/LLM_API_KEY is set. It runs "
                "offline and is small; for better reports set LLM_MODEL and LLM_API_KEY "
                "(e.g. openai/gpt-4o-mini).[/]"
            )
            return filled
    check_llm_settings(replace(settings, llm_model=model) if model else settings)
    return settings


def _note(message: str) -> None:
    console.print(f"[dim]{message}[/]")


async def _connect(settings: Settings, allow_embedded: bool = True) -> rc.Connection:
    conn = await rc.connect(settings, allow_embedded=allow_embedded, on_event=_note)
    if conn.embedded:
        info = conn.embedded
        console.print(
            f"Embedded Temporal dev server started (pid {info.pid}) at {info.address}, "
            f"state in {info.db_file}"
        )
        if info.ui_url:
            console.print(f"Web UI: [link={info.ui_url}]{info.ui_url}[/link]")
        console.print("[dim]It keeps running in the background; stop it with "
                      "`research server --stop`.[/]")
    return conn


async def follow(
    settings: Settings, conn: rc.Connection, handle: WorkflowHandle, with_worker: bool,
    interactive_review: bool = False,
) -> ReportResult:
    """Wait for a report, showing its steps live, optionally hosting a worker meanwhile."""
    started = time.monotonic()
    from durable_research.worker import build_worker  # imports litellm: seconds

    worker = build_worker(conn.client, settings) if with_worker else None
    worker_task = asyncio.create_task(worker.run()) if worker else None
    result_task = asyncio.create_task(handle.result())
    step, shown_review, printed = "", False, 0
    try:
        with console.status("starting...") as spinner:
            while not result_task.done():
                if worker_task and worker_task.done():
                    worker_task.result()  # surfaces why the worker stopped
                    raise UserError("The in-process worker stopped unexpectedly")
                state = await _poll(conn, handle.id)
                if state and state.query:
                    printed = _print_history(state.query.history, printed, started)
                    step = state.query.step
                if state and step:
                    extra = f" ({state.pending[0]})" if state.pending else ""
                    spinner.update(f"{step}{extra}")
                if step == "waiting for review" and not shown_review:
                    shown_review = True
                    spinner.stop()
                    await _review_prompt(conn, handle.id, interactive_review)
                    spinner.start()
                await asyncio.wait({result_task}, timeout=0.5)
        res = result_task.result()
        state = await _poll(conn, handle.id, with_query=True)
        if state and state.query:
            _print_history(state.query.history, printed, started)
        return res
    except WorkflowFailureError as exc:
        raise ReportFailedError(
            f"The report failed: {rc.root_cause(exc)}",
            f"details: `research status {handle.id}` or the Web UI",
        ) from None
    finally:
        result_task.cancel()
        if worker:
            await worker.shutdown()


def _print_history(history: list[str], printed: int, started: float) -> int:
    """Print the workflow's new history entries; return how many are printed now."""
    for line in history[printed:]:
        _stamp, _, event = line.partition(" ")
        console.print(f"[green]•[/] {event}  [dim]({time.monotonic() - started:.1f} s)[/]")
    return len(history)


async def _poll(
    conn: rc.Connection, workflow_id: str, with_query: bool | None = None
) -> rc.ReportState | None:
    try:
        return await rc.describe_report(conn.client, workflow_id, with_query)
    except (RPCError, UserError):
        return None


async def _review_prompt(conn: rc.Connection, workflow_id: str, interactive: bool) -> None:
    if interactive:
        from durable_research.cli_review import interactive_review

        await interactive_review(conn.client, workflow_id)
        return
    console.print(
        f"Draft ready and [bold]waiting for review[/]: run `research review {workflow_id}` "
        f"(or `research approve {workflow_id}`) in another terminal."
    )


async def _start(
    settings: Settings, params: ReportInput, workflow_id: str | None, quiet: bool = False
) -> tuple[rc.Connection, WorkflowHandle]:
    conn = await _connect(settings)
    try:
        handle = await rc.start_report(conn.client, settings, params, workflow_id)
    except RPCError as exc:
        raise UserError(f"Could not start the workflow: {exc.message}") from None
    except Exception as exc:
        if type(exc).__name__ == "WorkflowAlreadyStartedError":
            raise UserError(f"A workflow with id {workflow_id!r} is already running") from None
        raise
    link = ui_link(settings, conn, handle.id)
    if quiet:
        return conn, handle
    console.print(f"Started workflow [bold]{handle.id}[/]")
    if link:
        console.print(f"[dim]Follow it in the Web UI: {link}[/]")
    return conn, handle


@app.command()
@friendly
def run(
    prompt: PromptArg = None, review: ReviewOpt = False, fmt: FormatOpt = "pdf",
    out: OutOpt = None, overwrite: OverwriteOpt = False, email: EmailOpt = None,
    model: ModelOpt = None, workflow_id: IdOpt = None, prompt_file: FileOpt = None,
    worker: Annotated[bool, typer.Option(help="Host a worker in this process.")] = True,
) -> None:
    """Research a question and write the report, showing progress until it is done."""
    settings = settings_or_exit()
    prompt = read_prompt(prompt, prompt_file)
    params = build_input(prompt, review, fmt, out, overwrite, email, model, settings)
    if worker:
        settings = llm_ready_settings(settings, model)

    async def go() -> None:
        conn, handle = await _start(settings, params, workflow_id)
        interactive = review and console.is_terminal
        result = await follow(settings, conn, handle, worker, interactive)
        print_result(result, handle.id, ui_link(settings, conn, handle.id))

    run_async(go())


@app.command()
@friendly
def start(
    prompt: PromptArg = None, review: ReviewOpt = False, fmt: FormatOpt = "pdf",
    out: OutOpt = None, overwrite: OverwriteOpt = False, email: EmailOpt = None,
    model: ModelOpt = None, workflow_id: IdOpt = None, prompt_file: FileOpt = None,
) -> None:
    """Start a report and return at once; prints the workflow id."""
    settings = settings_or_exit()
    prompt = read_prompt(prompt, prompt_file)
    params = build_input(prompt, review, fmt, out, overwrite, email, model, settings)

    async def go() -> None:
        _conn, handle = await _start(settings, params, workflow_id, quiet=True)
        err.print(
            f"[dim]Started. A worker must be running to process it (`research worker`); "
            f"then `research status {handle.id}` or `research result {handle.id}`.[/]"
        )
        # The id alone on stdout, so scripts can capture it.
        typer.echo(handle.id)

    run_async(go())


@app.command()
@friendly
def status(workflow_id: Annotated[str, typer.Argument(help="Workflow id.")]) -> None:
    """Show where a report is: step, attempts, draft, cost so far, review state."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await _connect(settings)
        state = await rc.describe_report(conn.client, workflow_id)
        if state.result:
            print_result(state.result, workflow_id, ui_link(settings, conn, workflow_id))
            return
        table = Table(show_header=False, box=None)
        table.add_row("workflow", workflow_id)
        table.add_row("status", state.status)
        q = state.query
        if q:
            table.add_row("step", q.step)
            table.add_row("model", q.model or "-")
            u = q.usage
            table.add_row("tokens so far", f"{u.prompt_tokens} in, {u.completion_tokens} out")
            table.add_row("cost so far", "unknown" if u.cost_usd is None else f"${u.cost_usd:.6f}")
            if q.waiting_for_review_since:
                table.add_row("waiting for review since", q.waiting_for_review_since)
            table.add_row("draft versions", str(q.versions))
        elif state.status == "running":
            table.add_row("step", "[dim]unknown (no worker is answering queries)[/]")
        for line in state.pending:
            table.add_row("running", line)
        if state.failure:
            table.add_row("failure", f"[red]{state.failure}[/]")
        link = ui_link(settings, conn, workflow_id)
        if link:
            table.add_row("web UI", link)
        console.print(table)
        if q and q.history:
            console.print("[bold]History[/]")
            for line in q.history:
                console.print(f"  {line}", highlight=False, markup=False)
        if q and q.draft and q.step in ("waiting for review", "revising"):
            from rich.markdown import Markdown
            from rich.panel import Panel

            console.print(Panel(Markdown(q.draft[:4000]), title=f"draft v{q.versions}"))

    run_async(go())


@app.command()
@friendly
def result(
    workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
    worker: Annotated[bool, typer.Option(help="Host a worker while waiting.")] = True,
) -> None:
    """Wait for a report to finish (hosting a worker meanwhile) and print its result."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await _connect(settings)
        state = await rc.describe_report(conn.client, workflow_id)
        handle = conn.client.get_workflow_handle(workflow_id, result_type=ReportResult)
        with_worker = worker and state.status == "running"
        res = await follow(settings, conn, handle, with_worker)
        print_result(res, workflow_id, ui_link(settings, conn, workflow_id))

    run_async(go())


@app.command("worker")
@friendly
def worker_cmd(
    task_queue: Annotated[str | None, typer.Option(help="Task queue to poll.")] = None,
) -> None:
    """Run a worker until Ctrl-C. Start several, on any machines, to scale out."""
    from dataclasses import replace

    from durable_research.worker import build_worker

    settings = settings_or_exit()
    if task_queue:
        settings = replace(settings, task_queue=task_queue)
    settings = llm_ready_settings(settings, None)

    async def go() -> None:
        conn = await _connect(settings)
        w = build_worker(conn.client, settings)
        console.print(
            f"Worker polling task queue [bold]{settings.task_queue}[/] at "
            f"{settings.temporal_address} (namespace {settings.temporal_namespace}); Ctrl-C stops."
        )
        await w.run()

    run_async(go())


@app.command()
@friendly
def server(
    stop: Annotated[bool, typer.Option("--stop", help="Stop the embedded server.")] = False,
) -> None:
    """Start the embedded Temporal dev server (SQLite-backed, with Web UI) in the background."""
    settings = settings_or_exit()
    data = settings.data_path
    if stop:
        from durable_research.localmodel import stop_local_llm

        stopped = devserver.stop_dev_server(data)
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
        return
    info = devserver.start_dev_server(
        settings.temporal_address, data, settings.temporal_namespace, settings.ui_port
    )
    console.print(f"Temporal dev server running (pid {info.pid}) at {info.address}")
    console.print(f"State: {info.db_file}   Log: {info.log_file}")
    if info.ui_url:
        console.print(f"Web UI: {info.ui_url}")


@app.command()
@friendly
def cancel(
    workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
    worker: Annotated[bool, typer.Option(help="Host a worker until it is cancelled.")] = True,
) -> None:
    """Cancel a report; a running activity is told to stop through its heartbeat."""
    from durable_research.worker import build_worker

    settings = settings_or_exit()

    async def go() -> None:
        conn = await _connect(settings)
        state = await rc.describe_report(conn.client, workflow_id)
        if state.status != "running":
            raise UserError(f"Workflow {workflow_id} is not running (status: {state.status})")
        handle = conn.client.get_workflow_handle(workflow_id)
        await handle.cancel()
        console.print(f"Cancellation requested for {workflow_id}.")
        # The workflow acts on the request in a workflow task: host a worker so it
        # also ends when none is running (the embedded default).
        w = build_worker(conn.client, settings) if worker else None
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


@app.command()
@friendly
def doctor(
    llm: Annotated[bool, typer.Option("--llm", help="Also make one tiny LLM call.")] = False,
) -> None:
    """Check configuration, Temporal, workers, LLM, SMTP, output and fonts; say what is wrong."""
    from durable_research.doctor import FAIL, OK, run_checks

    settings = settings_or_exit()
    checks = run_async(run_checks(settings, llm))
    marks = {OK: "[green]✓[/]", FAIL: "[red]✗[/]"}
    for check in checks:
        console.print(f"{marks.get(check.level, '[yellow]![/]')} [bold]{check.name}[/]: "
                      f"{check.message}", highlight=False)
        if check.hint and check.level != OK:
            console.print(f"    [dim]{check.hint}[/]", highlight=False)
    if any(c.level == FAIL for c in checks):
        raise typer.Exit(1)


# Registers the review commands on the same app.
from durable_research import cli_review  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

