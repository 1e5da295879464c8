"""Following a running report in the terminal: live steps, review prompt, result."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from datetime import datetime
from typing import Any

from rich.status import Status
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import CancelledError, TerminatedError
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.cli.common import console, plain
from durable_research.client.present import format_research_line, plan_lines
from durable_research.config import Settings
from durable_research.contract.report import HISTORY_STAMP, ReportResult, ReportStep
from durable_research.errors import ReportFailedError, UserError, failure_text
from durable_research.terminal import safe

# Seconds between looks at a followed report.
FOLLOW_INTERVAL_S = 0.5
# A report no worker has answered for this long gets a line saying what it waits for.
WAITING_NOTICE_S = 3.0
WAITING_NOTICE = ("waiting for a worker to take the report (a worker that has just started "
                  "needs about 10 s to load; `research doctor` shows the workers)")


async def follow(
    settings: Settings, conn: rc.Connection, handle: WorkflowHandle[Any, ReportResult],
    with_worker: bool, interactive_review: bool = False, attached: bool = False,
) -> ReportResult:
    """Wait for a report, showing its steps live, optionally hosting a worker meanwhile.

    ``attached``: the report was started before this command (``research result``), so
    each step's time is counted from the report's start (its history's own stamps), not
    from this command's: a finished report's steps all read "0.1 s" otherwise.
    The snapshots come from ``client.watch``; this only prints them.
    """
    started = None if attached else time.monotonic()
    worker = None
    if with_worker:
        from durable_research.worker.build import build_worker  # imports litellm: seconds

        worker = build_worker(conn.client, settings)
    worker_task = asyncio.create_task(worker.run()) if worker else None
    snapshots = rc.watch(conn.client, handle.id, FOLLOW_INTERVAL_S)
    upcoming: asyncio.Task[rc.ReportState] | None = None
    shown = _Shown(started)
    try:
        with console.status(plain("starting...")) as spinner:
            while True:
                if upcoming is None:
                    upcoming = asyncio.ensure_future(anext(snapshots))
                waiting: set[asyncio.Future[Any]] = {upcoming}
                if worker_task is not None:
                    waiting.add(worker_task)
                await asyncio.wait(waiting, timeout=FOLLOW_INTERVAL_S,
                                   return_when=asyncio.FIRST_COMPLETED)
                if worker_task and worker_task.done():
                    worker_task.result()  # surfaces why the worker stopped
                    raise UserError("The in-process worker stopped unexpectedly")
                if not upcoming.done():
                    shown.notice_waiting()
                    continue
                try:
                    state = upcoming.result()
                except StopAsyncIteration:  # the report closed
                    break
                upcoming = None
                await shown.show(state, spinner, conn, handle.id, interactive_review)
        res = await handle.result()
        final = await _poll(conn, handle.id, with_query=True)
        if final and final.query:
            _print_history(final.query.history, shown.printed, started)
        return res
    except WorkflowFailureError as exc:
        raise ended_error(exc, handle.id) from None
    finally:
        if upcoming is not None:
            upcoming.cancel()
            # Let the cancellation land before closing the generator it runs in.
            await asyncio.gather(upcoming, return_exceptions=True)
        await snapshots.aclose()
        if worker and worker_task:
            await worker.shutdown()
            # shutdown() returns once polling stops; the run's clean-up (the activities'
            # clients, the CPU process pool) follows in its task (as worker/hosted.py).
            with contextlib.suppress(Exception):
                await worker_task


def ended_error(exc: WorkflowFailureError, workflow_id: str) -> ReportFailedError:
    """What the terminal says of a report that ended without its result: cancelled and
    terminated are what someone did to it, not failures of the report."""
    cause = exc.cause
    if isinstance(cause, CancelledError):
        return ReportFailedError("The report was cancelled: nothing more was written or sent",
                                 f"`research status {workflow_id}` shows how far it got")
    if isinstance(cause, TerminatedError):
        reason = f" ({cause.message})" if cause.message else ""
        return ReportFailedError(f"The report was terminated{reason}",
                                 f"`research status {workflow_id}` shows how far it got")
    return ReportFailedError(f"The report failed: {failure_text(exc)}",
                             f"details: `research status {workflow_id}`")


class _Shown:
    """What the terminal has shown of a report so far."""

    def __init__(self, started: float | None) -> None:
        self.started = started
        self.step = ""
        self.printed = 0
        self.review = self.plan = self.waiting_noticed = self.questions = False
        self.answered = False
        # Whether "the Temporal server does not answer" was said (until it answers again).
        self.unreachable = False
        # The failing attempts already said ("send_email: attempt 3, last failure: ...").
        self.failures: set[str] = set()

    def notice_waiting(self) -> None:
        """No worker has answered for a while: say what the report waits for, once."""
        if (not self.answered and not self.waiting_noticed and self.started is not None
                and time.monotonic() - self.started > WAITING_NOTICE_S):
            self.waiting_noticed = True
            console.print(f"[yellow]•[/] {WAITING_NOTICE}")

    async def show(self, state: rc.ReportState, spinner: Status, conn: rc.Connection,
                   workflow_id: str, interactive_review: bool) -> None:
        """Print one snapshot: new history lines, the spinner's step, review prompts."""
        if state.query is None:
            self.notice_waiting()
        else:
            self.answered = True
            self.printed = _print_history(state.query.history, self.printed, self.started)
            self.step = state.query.step
        if state.unreachable and not self.unreachable:
            why = state.unreachable if state.unreachable.startswith("The Temporal server") \
                else f"The Temporal server does not answer ({state.unreachable})"
            console.print(f"[yellow]•[/] {safe(why)}: still following; the report goes on "
                          "from its last finished step when the server is back (`research "
                          "server` starts the embedded one; Ctrl-C stops following)",
                          highlight=False)
        elif self.unreachable and not state.unreachable:
            console.print("[yellow]•[/] The Temporal server answers again", highlight=False)
        self.unreachable = bool(state.unreachable)
        # An activity being retried after a failure is what the user waits on: said once
        # (a run whose output is no terminal has no spinner), and on the spinner over the
        # research line, which stops moving meanwhile.
        failing = next((p for p in state.pending if rc.LAST_FAILURE in p), "")
        if failing and failing not in self.failures:
            self.failures.add(failing)
            console.print(f"[yellow]•[/] retrying: {safe(failing)}", highlight=False)
        if self.step:
            extra = f" ({state.pending[0]})" if state.pending else ""
            if state.query and state.query.research and not failing:
                extra = f" ({format_research_line(state.query.research)})"
            spinner.update(plain(safe(f"{self.step}{f' ({failing})' if failing else extra}")))
        if state.status != rc.RUNNING:
            # Ended while it waited (cancelled, terminated): its last step still says
            # "waiting for ...", and no decision can reach it any more.
            return
        if self.step == ReportStep.CLARIFY and not self.questions and state.query:
            self.questions = True
            spinner.stop()
            await _questions_prompt(conn, workflow_id, state.query.questions)
            spinner.start()
        if self.step == ReportStep.PLAN_REVIEW and not self.plan:
            self.plan = True
            spinner.stop()
            _plan_prompt(state, workflow_id)
            spinner.start()
        if self.step == ReportStep.REVIEW and not self.review:
            self.review = True
            spinner.stop()
            await _review_prompt(conn, workflow_id, interactive_review)
            spinner.start()


def _print_history(history: list[str], printed: int, started: float | None) -> int:
    """Print the workflow's new history entries; return how many are printed now.

    ``started``: this command's start (monotonic), or None to count from the report's
    first entry."""
    for line in history[printed:]:
        _stamp, _, event = line.partition(" ")
        console.print(f"[green]•[/] {safe(event)}  [dim]"
                      f"({format_elapsed(line, history[0], started, time.monotonic())})[/]")
    return len(history)


def format_elapsed(line: str, first: str, started: float | None, now: float) -> str:
    """How long after the start ``line`` came: since this command's start (tenths, seen
    ``now``, monotonic) or, with ``started`` None, since the report's ``first`` entry by
    their stamps (whole seconds, as the workflow records them)."""
    if started is not None:
        return f"{now - started:.1f} s"
    try:
        then, start = (datetime.strptime(entry.partition(" ")[0], HISTORY_STAMP)
                       for entry in (line, first))
    except ValueError:  # not a stamped entry: nothing better to say than nothing
        return "-"
    return f"{(then - start).total_seconds():.0f} s"


async def _poll(
    conn: rc.Connection, workflow_id: str, with_query: bool | None = None
) -> rc.ReportState | None:
    try:
        return await rc.describe_report(conn.client, workflow_id, with_query)
    except (RPCError, UserError):
        return None


def _plan_prompt(state: rc.ReportState | None, workflow_id: str) -> None:
    research = state.query.research if state and state.query else None
    console.print("[bold]Research plan[/] waiting for review:")
    for line in plan_lines(research.plan if research else [], "  "):
        console.print(safe(line), highlight=False)
    from durable_research.cli.research import plan_review_hint

    console.print(plan_review_hint(workflow_id))


async def _questions_prompt(conn: rc.Connection, workflow_id: str, questions: list[str]
                            ) -> None:
    from durable_research.cli.research import ask_in_terminal, show_questions

    if console.is_terminal and sys.stdin.isatty():
        await ask_in_terminal(conn, workflow_id, questions)
    else:
        show_questions(workflow_id, questions, waiting=True)


async def _review_prompt(conn: rc.Connection, workflow_id: str, interactive: bool) -> None:
    if interactive:
        from durable_research.cli.review import interactive_review

        await interactive_review(conn.client, workflow_id)
        return
    console.print(
        f"Draft ready and [bold]waiting for review[/]: run `research review {workflow_id}` "
        f"(or `research approve {workflow_id}`) in another terminal."
    )
