"""Following a running report in the terminal: live steps, review prompt, result."""

from __future__ import annotations

import asyncio
import time

from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.cli.common import console
from durable_research.client.present import format_research_line
from durable_research.config import Settings
from durable_research.contract.report import ReportResult, ReportStep
from durable_research.errors import ReportFailedError, UserError
from durable_research.terminal import safe

# A report no worker has answered for this long gets a line saying what it waits for.
WAITING_NOTICE_S = 3.0
WAITING_NOTICE = ("waiting for a worker to take the report (a worker that has just started "
                  "needs about 10 s to load; `research doctor` shows the workers)")


async def follow(
    settings: Settings, conn: rc.Connection, handle: WorkflowHandle, with_worker: bool,
    interactive_review: bool = False,
) -> ReportResult:
    """Wait for a report, showing its steps live, optionally hosting a worker meanwhile."""
    started = time.monotonic()
    worker = None
    if with_worker:
        from durable_research.worker.build import build_worker  # imports litellm: seconds

        worker = build_worker(conn.client, settings)
    worker_task = asyncio.create_task(worker.run()) if worker else None
    result_task = asyncio.create_task(handle.result())
    step, shown_review, shown_plan, printed = "", False, False, 0
    waiting_noticed = False
    try:
        with console.status("starting...") as spinner:
            while not result_task.done():
                if worker_task and worker_task.done():
                    worker_task.result()  # surfaces why the worker stopped
                    raise UserError("The in-process worker stopped unexpectedly")
                state = await _poll(conn, handle.id)
                if (state and not state.query and not step and not waiting_noticed
                        and time.monotonic() - started > WAITING_NOTICE_S):
                    waiting_noticed = True  # no worker has answered yet: say so, once
                    console.print(f"[yellow]•[/] {WAITING_NOTICE}")
                if state and state.query:
                    printed = _print_history(state.query.history, printed, started)
                    step = state.query.step
                if state and step:
                    extra = f" ({state.pending[0]})" if state.pending else ""
                    if state.query and state.query.research:
                        extra = f" ({format_research_line(state.query.research)})"
                    spinner.update(safe(f"{step}{extra}"))
                if step == ReportStep.PLAN_REVIEW and not shown_plan:
                    shown_plan = True
                    spinner.stop()
                    _plan_prompt(state, handle.id)
                    spinner.start()
                if step == ReportStep.REVIEW and not shown_review:
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
            f"details: `research status {handle.id}`",
        ) from None
    finally:
        result_task.cancel()
        if worker:
            await worker.shutdown()


def _print_history(history: list[str], printed: int, started: float) -> int:
    """Print the workflow's new history entries; return how many are printed now."""
    for line in history[printed:]:
        _stamp, _, event = line.partition(" ")
        console.print(f"[green]•[/] {safe(event)}  [dim]({time.monotonic() - started:.1f} s)[/]")
    return len(history)


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
    for i, q in enumerate(research.plan if research else [], 1):
        console.print(f"  {i}. {safe(q)}", highlight=False)
    console.print(f"Approve with `research plan {safe(workflow_id)} --approve`, or edit with "
                  f"`research plan {safe(workflow_id)} --edit FILE` (one sub-question a line).")


async def _review_prompt(conn: rc.Connection, workflow_id: str, interactive: bool) -> None:
    if interactive:
        from durable_research.cli.review import interactive_review

        await interactive_review(conn.client, workflow_id)
        return
    console.print(
        f"Draft ready and [bold]waiting for review[/]: run `research review {workflow_id}` "
        f"(or `research approve {workflow_id}`) in another terminal."
    )
