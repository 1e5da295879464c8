"""Shared pieces of the ``research`` CLI: consoles, error handling, printing results."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sys
import time
from collections.abc import Callable, Collection, Coroutine, Sequence
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from durable_research import client as rc
from durable_research.client.present import (
    CITATIONS_ROW,
    PDF_ROW,
    STORED_ROW,
    result_rows,
)
from durable_research.client.refusals import HowTo, answer_placeholders, refusal_hint
from durable_research.config import Settings, load_settings
from durable_research.contract.citations import ClaimStatus
from durable_research.contract.report import ReportResult
from durable_research.contract.review import (
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_REVIEW,
    UPDATE_REVIEW_PLAN,
)
from durable_research.errors import DecisionRefusedError, UserError
from durable_research.terminal import safe

# How the result's claim counts stand out in a terminal (rich markup).
CHECK_COLOURS = {ClaimStatus.DISPUTED: "red", ClaimStatus.UNVERIFIED: "yellow"}

# Piped output is read by scripts: never wrap or cut paths and ids there. No emoji codes:
# a question's ":fire:" is printed as typed, and the first print does not load rich's
# emoji table (~30 ms of every command's start).
console = Console(width=None if sys.stdout.isatty() else 10_000, emoji=False)
# Prose (drafts) is wrapped at this width when piped: the wide console is for ids and paths.
PROSE_WIDTH = None if sys.stdout.isatty() else 100
err = Console(stderr=True, width=None if sys.stderr.isatty() else 10_000, emoji=False)
T = TypeVar("T")


def plain(markup: str) -> Text:
    """A spinner's text: rich markup without emoji codes, as the consoles print (a str
    given to ``status`` would be read with them, loading rich's emoji table)."""
    return Text.from_markup(markup, emoji=False)


class _OneLine(logging.Formatter):
    """A failed activity attempt as one line (its traceback only with RESEARCH_VERBOSE=1)."""

    _ACTIVITY = re.compile(r" \(\{.*'activity_type': '(\w+)', 'attempt': (\d+).*\}\)")

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        found = self._ACTIVITY.search(message)
        if found:  # "Completing activity as failed ({...dict...})" -> the essentials
            message = f"{found.group(1)} attempt {found.group(2)} failed"
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            detail = (str(exc).splitlines() or [""])[0][:300]
            message += f": {detail}"
        return f"worker: {safe(message)}"


# The Temporal SDK core's log (Rust) forwarded to this logger, under "temporalio".
CORE_LOGGER = "temporalio.core"


class _NoRetryNotes(logging.Filter):
    """Drops the core client's notes of retried calls ("gRPC call describe_workflow_execution
    retried 7 times"): while a server is away they come several a second, and what the
    command follows says so itself, once (``client.watch``'s unreachable snapshot)."""

    def filter(self, record: logging.LogRecord) -> bool:
        entry = getattr(record, "temporal_log", None)
        return not str(getattr(entry, "target", "")).endswith("::retry")


# Whether the command was asked for every log line (RESEARCH_VERBOSE): set by quiet_logging.
_verbose = False


def core_logging() -> None:
    """Route the SDK core's log through Python's logging (the default printed its own
    coloured lines to stderr, pipes too), retry notes left out unless verbose.

    A process has one Temporal runtime, made by its first client: called before the
    command connects (not at its start: the import costs a command that never connects
    ~0.1 s), it sets that up, and leaves a runtime made already alone."""
    from temporalio.runtime import (
        LogForwardingConfig,
        LoggingConfig,
        Runtime,
        TelemetryConfig,
        TelemetryFilter,
    )

    log = logging.getLogger(CORE_LOGGER)
    if not _verbose and not any(isinstance(f, _NoRetryNotes) for f in log.filters):
        log.addFilter(_NoRetryNotes())
    forwarded = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                              forwarding=LogForwardingConfig(logger=log))
    try:
        Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=forwarded)))
    except RuntimeError:  # a client was made already: its runtime stays
        pass


def quiet_logging(verbose: bool = False) -> None:
    """Send the in-process worker's log lines to stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    if not verbose:
        handler.setFormatter(_OneLine())
    for name in ("temporalio", "durable_research"):
        log = logging.getLogger(name)
        log.addHandler(handler)
        log.setLevel(logging.WARNING)
        log.propagate = False
    global _verbose
    _verbose = verbose
    # Libraries that print their complaints about odd input files.
    for name in ("pypdf", "trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion."""
    return asyncio.run(coro)


def answer_command(wid: str, questions: int) -> str:
    """`research answer ID "ANSWER 1" ...`: one placeholder a question (0: not said)."""
    listed = " ".join(f'"{a}"' for a in answer_placeholders(questions)) if questions \
        else '"ANSWER 1" ...'
    return f"research answer {wid} {listed}"


def _send(update: str, wid: str, answers: int) -> str:
    """How a decision is sent on the command line (a refusal's hint)."""
    if update == UPDATE_ANSWER_QUESTIONS:
        return f"`{answer_command(wid, answers)}`"
    if update == UPDATE_REVIEW_PLAN:
        return f"`research plan {wid} --approve`, `--edit FILE` or `--reject`"
    if update == UPDATE_REVIEW:
        return (f"`research approve {wid}`, `research edit {wid} --file F`, `research revise "
                f"{wid} --feedback TEXT` or `research reject {wid}`")
    return f"`research raise-budget {wid} --usd USD --tokens N --pages N`"


# How the command line names a report's status and its decisions (refusals' hints).
CLI_HOW = HowTo(status=lambda wid: f"`research status {wid}`", send=_send)


def print_user_error(exc: UserError) -> None:
    """A user mistake on stderr: one line, and a hint line when there is one."""
    err.print(f"[bold red]Error:[/] {safe(exc.message)}", highlight=False)
    hint = refusal_hint(exc, CLI_HOW) if isinstance(exc, DecisionRefusedError) else exc.hint
    if hint:
        err.print(f"[yellow]Hint:[/] {safe(hint)}", highlight=False)


def friendly(func: Callable[..., None]) -> Callable[..., None]:
    """Turn user mistakes into a short message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except UserError as exc:
            print_user_error(exc)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("\nInterrupted. Started workflows keep their state on the Temporal server.")
            raise typer.Exit(130) from None

    return wrapper


def settings_or_exit() -> Settings:
    """Load settings (errors are UserErrors, handled by ``friendly``)."""
    return load_settings()


# The narrowest a folding cell of a listing may be and still be read (a date, a word).
MIN_CELL = 12


def print_listing(columns: Sequence[str], rows: Sequence[Sequence[str]],
                  whole: Collection[int] = (0,), droppable: int | None = None,
                  dropped_note: str = "") -> None:
    """Print ``rows`` (markup-safe cells) as a table whose ``whole`` columns are never cut
    or wrapped: they hold ids, which the user copies into the next command (in 80 columns
    rich cut them to "report-10b04f…"). Other cells fold instead of ending in "…". The
    ``droppable`` column (a long path) is shown only where it fits on one line beside
    the others at :data:`MIN_CELL` (folded over a dozen lines it buries the list), and
    ``dropped_note`` says where its values are."""
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in
              enumerate(columns)]
    keep = list(range(len(columns)))
    need = sum(widths[i] if i in whole or i == droppable else min(widths[i], MIN_CELL)
               for i in keep) + 3 * len(keep) + 1  # cells' padding and borders, the last
    if droppable is not None and need > console.width:
        keep.remove(droppable)
    table = Table()
    for i in keep:
        if i in whole:
            table.add_column(columns[i], no_wrap=True, min_width=widths[i])
        else:
            table.add_column(columns[i], overflow="fold")
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    print_table(table)
    if len(keep) < len(columns) and dropped_note:
        console.print(f"[dim]{dropped_note}[/]")


def print_table(table: Table) -> None:
    """Print a table; piped, without the padding that fills every line to the widest one
    (a long row made each line of a result hundreds of spaces wide)."""
    if console.is_terminal:
        console.print(table)
        return
    with console.capture() as captured:
        console.print(table)
    console.out("\n".join(line.rstrip() for line in captured.get().splitlines()),
                highlight=False)


def print_result(result: ReportResult, workflow_id: str, link: str) -> None:
    """Show a finished report's summary."""
    table = Table(show_header=False, box=None)
    table.add_row("workflow", safe(workflow_id))
    for label, value in result_rows(result, marks=CHECK_COLOURS):
        if label == CITATIONS_ROW:  # markup of its own (the marks); numbers and names only
            table.add_row(label, value)
        elif label == PDF_ROW:
            table.add_row(label, f"[bold green]{safe(value)}[/]")
        elif label == STORED_ROW:
            table.add_row(label, f"{safe(value)} (`research result ID --download DIR`)")
        else:
            table.add_row(label, safe(value))
    if link:
        table.add_row("web UI", link)
    print_table(table)


def llm_ready_settings(settings: Settings, model: str | None,
                       out: Console | None = None, wait: bool = True) -> Settings:
    """Settings with which this process (it hosts a worker) can call the LLM.

    With no provider configured, the embedded offline model is started (or
    reused) and its endpoint filled in; otherwise the configuration is checked.

    Args:
        out: Where to say so (default stdout; ``research mcp`` keeps stdout for the
            protocol).
        wait: Wait until the embedded model answers (False: it may still be loading;
            the caller waits before a report calls it).
    """
    out = out or console
    from dataclasses import replace

    from durable_research.config import check_llm_settings

    # A provider configured (the usual case) neither imports the model's module nor
    # shows the spinner: settings_with_local_llm would hand the settings back unchanged.
    if not model and settings.wants_local_llm:
        from durable_research.embedded import localmodel

        with out.status(plain("starting the embedded offline model...")):
            filled, ep = localmodel.settings_with_local_llm(settings, wait=wait)
        if ep is not None:
            out.print(
                f"[dim]Using {ep.description}: no LLM_MODEL/LLM_API_KEY is set. It runs "
                "offline and is small; for better reports set LLM_MODEL and LLM_API_KEY "
                "(e.g. openai/gpt-4o-mini).[/]"
            )
            return filled
    check_llm_settings(replace(settings, llm_model=model) if model else settings)
    return settings


def note(message: str, out: Console | None = None) -> None:
    (out or console).print(f"[dim]{message}[/]")


# How long a decision waits for the embedded server's worker to poll (it loads for about
# 10 s; a loaded machine takes longer), and how often it looks.
WORKER_START_S, WORKER_LOOK_S = 60.0, 0.25


async def connect_for_decision(settings: Settings, workflow_id: str) -> rc.Connection:
    """Connect for a decision sent to a waiting report: an Update, which only a worker
    accepts. On the embedded default its supervised worker is made sure of and waited
    for: after the server was restarted (a reboot, `research server --stop`) none runs,
    and the decision was refused ("No worker is running ... `research worker`").
    Not for an unknown id or a report that has ended (refused as before, at once)."""
    from durable_research.client import workers
    from durable_research.embedded import local_worker

    conn = await connect_cli(settings)
    state = await rc.describe_report(conn.client, workflow_id, with_query=False)
    if state.status != rc.RUNNING:
        return conn
    if await asyncio.to_thread(local_worker.ensure_worker, settings) is None:
        return conn  # not the embedded server: its workers are the cluster's business
    deadline = time.monotonic() + WORKER_START_S
    with err.status(plain("waiting for the embedded server's worker to start...")):
        while time.monotonic() < deadline:
            if await workers.workers_polling(conn.client, settings.task_queue):
                break
            await asyncio.sleep(WORKER_LOOK_S)
    return conn  # still none: the decision is refused with what to do


async def connect_cli(settings: Settings, allow_embedded: bool = True,
                      out: Console | None = None,
                      on_server_launch: Callable[[], object] | None = None) -> rc.Connection:
    """Connect, saying on ``out`` (default stderr) when the embedded server was started.

    Stderr: what a command prints on stdout is its answer (``research start``: the id
    alone, which scripts capture); that a server was started on the way is not part of it.
    ``on_server_launch``: what to start while a just-started embedded server boots.
    """
    out = out or err
    core_logging()
    conn = await rc.connect(settings, allow_embedded=allow_embedded,
                            on_event=lambda message: note(message, out),
                            on_server_launch=on_server_launch)
    if conn.embedded:
        info = conn.embedded
        out.print(
            f"Embedded Temporal dev server started (pid {info.pid}) at {info.address}, "
            f"state in {info.db_file}"
        )
        if info.ui_url:
            out.print(f"Web UI: [link={info.ui_url}]{info.ui_url}[/link]")
        out.print("[dim]It keeps running in the background; stop it with "
                  "`research server --stop`.[/]")
    return conn
