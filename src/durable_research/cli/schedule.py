"""``research schedule``: scheduled research (printers over ``client.schedules``)."""

from __future__ import annotations

from typing import Annotated

import typer

from durable_research.cli.common import (
    connect_cli,
    console,
    err,
    friendly,
    print_listing,
    run_async,
    settings_or_exit,
)
from durable_research.cli.reports import (
    DepthOpt,
    EmailOpt,
    FileOpt,
    FormatOpt,
    LanguageOpt,
    PromptArg,
    SourcesOpt,
    WebOpt,
)
from durable_research.cli.research import ReportRequest, ResearchOptions, prepare
from durable_research.client import schedules as cs
from durable_research.client.every import EVERY_HINT, parse_every, parse_tz
from durable_research.client.present import SCHEDULE_COLUMNS, format_when, schedule_rows
from durable_research.client.requests import read_prompt
from durable_research.config import Settings
from durable_research.contract.report import schedule_action_id
from durable_research.embedded import local_worker
from durable_research.errors import UserError
from durable_research.terminal import safe

ScheduleIdArg = Annotated[str, typer.Argument(help="Schedule id (`research schedule list`).")]
EveryOpt = Annotated[str, typer.Option("--every", help=f"When it runs: {EVERY_HINT}.")]
TzOpt = Annotated[str | None, typer.Option(
    "--tz", help="Time zone of the clock time, e.g. Europe/Berlin (default: UTC).")]
ScheduleIdOpt = Annotated[str | None, typer.Option(
    "--id", help="Schedule id: letters, digits, '.', '_', '-' (default: generated).")]

app = typer.Typer(help="Scheduled research: the same question as a report at set times, "
                       "each starting with what changed since the last run.",
                  no_args_is_help=True)


def _worker_note(settings: Settings) -> str:
    if local_worker.ensure_worker(settings):
        return ("The embedded server's worker runs them while the embedded server runs "
                "(`research server` keeps it up).")
    return "A worker must be running at those times (`research worker`)."


@app.command("add")
@friendly
def add_cmd(
    prompt: PromptArg = None, every: EveryOpt = "", tz: TzOpt = None,
    email: EmailOpt = None, sources: SourcesOpt = None, depth: DepthOpt = "standard",
    fmt: FormatOpt = "pdf", schedule_id: ScheduleIdOpt = None, prompt_file: FileOpt = None,
    language: LanguageOpt = "", web: WebOpt = True,
) -> None:
    """Research a question at set times; each run is a report like `research start`'s."""
    settings = settings_or_exit()
    spec = parse_every(every)
    zone = parse_tz(tz, spec)
    if schedule_id is not None:
        cs.check_schedule_id(schedule_id)
    question = read_prompt(prompt, prompt_file)
    if not (question or "").strip():  # run's demo question is for a first try, not a schedule
        raise UserError("A schedule needs a question",
                        'research schedule add "question" --every WHEN (or --file F)')
    params = prepare(settings, ReportRequest(
        question, False, fmt, None, False, email, None,
        ResearchOptions(sources or [], depth, web, language=language)))

    async def go() -> None:
        conn = await connect_cli(settings)
        note = _worker_note(settings)  # before: a refused worker leaves no schedule behind
        added = await cs.add_schedule(conn.client, settings, params, spec, zone, schedule_id)
        console.print(f"Added schedule [bold]{safe(added.schedule_id)}[/]: every "
                      f"{safe(added.every)} ({safe(added.tz or 'UTC')}), next run "
                      f"{format_when(added.next_run, added.tz)}", highlight=False)
        err.print(f"[dim]{note} Runs are reports with ids "
                  f"{safe(schedule_action_id(added.schedule_id))}-<time>.[/]", highlight=False)

    run_async(go())


@app.command("list")
@friendly
def list_cmd() -> None:
    """List the schedules: when they run, their state, their last run."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        found = await cs.list_schedules(conn.client)
        if not found:
            console.print("No schedules yet: add one with `research schedule add`.")
            return
        print_listing(SCHEDULE_COLUMNS,
                      [[safe(cell[:80]) for cell in row] for row in schedule_rows(found)],
                      whole=(0, 3))

    run_async(go())


@app.command("pause")
@friendly
def pause_cmd(schedule_id: ScheduleIdArg) -> None:
    """Start no more runs until resumed (a running report goes on)."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        await cs.pause_schedule(conn.client, schedule_id)
        console.print(f"Paused {safe(schedule_id)}.")

    run_async(go())


@app.command("resume")
@friendly
def resume_cmd(schedule_id: ScheduleIdArg) -> None:
    """Run at the schedule's times again."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        await cs.resume_schedule(conn.client, schedule_id)
        now = await cs.describe_schedule(conn.client, schedule_id)
        console.print(f"Resumed {safe(schedule_id)}: next run "
                      f"{format_when(now.next_run, now.tz)} ({safe(now.tz or 'UTC')}).")

    run_async(go())


@app.command("trigger")
@friendly
def trigger_cmd(schedule_id: ScheduleIdArg) -> None:
    """Run it now (unless a run is still going); prints the report's workflow id."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        note = _worker_note(settings)  # before: a refused worker gets no run to do
        run = await cs.trigger_schedule(conn.client, schedule_id)
        err.print(f"[dim]Triggered {safe(schedule_id)}. {note}[/]",
                  highlight=False)
        if run:  # alone on stdout, as `research start` prints its id
            typer.echo(run)

    run_async(go())


@app.command("delete")
@friendly
def delete_cmd(schedule_id: ScheduleIdArg) -> None:
    """Delete the schedule (its reports stay: `research list`)."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        await cs.delete_schedule(conn.client, schedule_id)
        console.print(f"Deleted {safe(schedule_id)}.")

    run_async(go())


# The words a user tries first for delete; click's guess for "remove" was "resume".
for _alias in ("remove", "rm"):
    app.command(_alias, hidden=True)(delete_cmd)


def register(root: typer.Typer) -> None:
    """Add ``research schedule ...`` to the ``research`` app."""
    root.add_typer(app, name="schedule")
