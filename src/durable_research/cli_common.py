"""Shared pieces of the ``research`` CLI: the typer app, consoles, error handling, output."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from durable_research import client as rc
from durable_research import devserver
from durable_research.config import Settings, load_settings
from durable_research.errors import UserError
from durable_research.shared import DEFAULT_PROMPT, KNOWN_FORMATS, ReportInput, ReportResult
from durable_research.terminal import safe

app = typer.Typer(
    help="Durable research reports: question in, PDF out, every step checkpointed on Temporal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output is read by scripts: never wrap or cut paths and ids there.
console = Console(width=None if sys.stdout.isatty() else 10_000)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 10_000)
T = TypeVar("T")
# Questions longer than this are surely a mistake (a pasted file) and would bloat history.
MAX_PROMPT_CHARS = 100_000


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
    # Libraries that print their complaints about odd input files.
    for name in ("pypdf", "trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion."""
    return asyncio.run(coro)


def friendly(func: Callable[..., None]) -> Callable[..., None]:
    """Turn user mistakes into a short message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except UserError as exc:
            err.print(f"[bold red]Error:[/] {safe(exc.message)}", highlight=False)
            if exc.hint:
                err.print(f"[yellow]Hint:[/] {safe(exc.hint)}", highlight=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("\nInterrupted. Started workflows keep their state on the Temporal server.")
            raise typer.Exit(130) from None

    return wrapper


def settings_or_exit() -> Settings:
    """Load settings (errors are UserErrors, handled by ``friendly``)."""
    return load_settings()


def parse_formats(raw: str) -> list[str]:
    """Parse ``pdf,md,html`` into a validated list (PDF always first if present)."""
    formats = [f.strip().lower() for f in raw.split(",") if f.strip()]
    unknown = [f for f in formats if f not in KNOWN_FORMATS]
    if unknown or not formats:
        shown = ", ".join(unknown) if unknown else repr(raw)
        raise UserError(
            f"Unknown output format(s): {shown}",
            f"use a comma-separated subset of {','.join(KNOWN_FORMATS)}",
        )
    return sorted(set(formats), key=KNOWN_FORMATS.index)


def build_input(
    prompt: str | None, review: bool, formats: str, out: str | None, overwrite: bool,
    email: str | None, model: str | None, settings: Settings,
) -> ReportInput:
    """Validate CLI options into the workflow input."""
    from durable_research.activities.email import check_recipients, parse_recipients

    text = (prompt or "").strip() or DEFAULT_PROMPT
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in argv/stdin arrive as surrogates
        raise UserError("The question is not valid UTF-8 text",
                        "check the terminal's or the file's encoding") from None
    if "\x00" in text:
        raise UserError("The question contains a NUL character")
    if len(text) > MAX_PROMPT_CHARS:
        raise UserError(
            f"The question is {len(text):,} characters long; the limit is {MAX_PROMPT_CHARS:,}",
            "put the essentials of the question in the prompt",
        )
    to = email if email is not None else ""
    # UserErrors for malformed or injected addresses, and for ones the policy refuses.
    check_recipients(parse_recipients(to or settings.email_to), settings.email_allowed)
    return ReportInput(
        prompt=text,
        model=model or "",
        formats=parse_formats(formats),
        output_dir=output_request(out, settings),
        overwrite=overwrite,
        email_to=to,
        review=review,
        review_timeout_s=settings.review_timeout_s,
        review_timeout_action=settings.review_timeout_action,
    )


def output_request(out: str | None, settings: Settings) -> str:
    """``--out`` as a request the worker will honour: a folder inside its output root.

    A process hosting its own worker points that worker's root at ``--out`` instead
    (see ``run``); a separate worker only writes under its RESEARCH_OUTPUT_DIR.
    """
    if not out:
        return ""
    root = settings.output_path
    target = Path(out).expanduser()
    target = (target if target.is_absolute() else Path.cwd() / target).resolve()
    if target != root and root not in target.parents:
        raise UserError(
            f"--out {out} is outside the workers' output folder {root} (RESEARCH_OUTPUT_DIR)",
            "name a folder inside it, or fetch the files anywhere afterwards with "
            "`research result ID --download DIR`",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"Cannot write to --out {out}: {exc.strerror or exc}") from None
    return str(target)


def ui_link(settings: Settings, conn: rc.Connection, workflow_id: str) -> str:
    """Web UI link to a workflow, when the UI is the embedded one."""
    if conn.embedded and conn.embedded.ui_url:
        base = conn.embedded.ui_url
    elif devserver.is_local(settings.temporal_address):
        _host, port = devserver.split_address(settings.temporal_address)
        base = f"http://localhost:{settings.ui_port or port + 1000}"
    else:
        return ""
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"


def print_result(result: ReportResult, workflow_id: str, link: str) -> None:
    """Show a finished report's summary."""
    table = Table(show_header=False, box=None)
    table.add_row("workflow", safe(workflow_id))
    table.add_row("status", result.status)
    if result.pdf_path:
        table.add_row("PDF", f"[bold green]{safe(result.pdf_path)}[/]")
    for path in result.paths:
        if path != result.pdf_path:
            table.add_row("file", safe(path))
    if result.store:
        table.add_row("stored", f"{safe(result.store)} (`research result ID --download DIR`)")
    table.add_row("model", safe(result.model or "-"))
    u = result.usage
    table.add_row("tokens", f"{u.prompt_tokens} in, {u.completion_tokens} out")
    table.add_row("cost", "unknown" if u.cost_usd is None else f"${u.cost_usd:.6f}")
    if result.sources_used:
        table.add_row("sources", f"{safe(result.sources_used)}: "
                      f"{len(result.references)} cited")
    v = result.verification
    if v is not None:
        line = f"{v.supported} of {v.checked} cited sentences verified"
        if v.unsupported:
            line += f", [yellow]{len(v.unsupported)} marked unverified[/]"
        table.add_row("citations", line)
    for item in result.research_notes[:8]:
        table.add_row("research", safe(item[:300]))
    if result.email.sent:
        table.add_row("e-mail", f"sent to {', '.join(result.email.recipients)}")
    elif result.email.skipped_reason:
        table.add_row("e-mail", safe(result.email.skipped_reason))
    if result.note and result.note != result.email.skipped_reason:
        table.add_row("note", safe(result.note))
    if link:
        table.add_row("web UI", link)
    console.print(table)


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


def note(message: str) -> None:
    console.print(f"[dim]{message}[/]")


async def connect_cli(settings: Settings, allow_embedded: bool = True) -> rc.Connection:
    conn = await rc.connect(settings, allow_embedded=allow_embedded, on_event=note)
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
