"""Review commands: look at a draft and approve, edit, revise or reject it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.prompt import Prompt
from temporalio.client import Client

from durable_research import client as rc
from durable_research.cli.common import (
    PROSE_WIDTH,
    connect_for_decision,
    console,
    friendly,
    plain,
    run_async,
    settings_or_exit,
)
from durable_research.client.requests import unreadable_file
from durable_research.contract.report import ReportStep
from durable_research.contract.review import (
    MAX_REVIEW_BYTES,
    REVIEW_ACTIONS,
    ReviewAction,
    ReviewInput,
)
from durable_research.errors import UserError
from durable_research.terminal import safe, strip_controls

IdArg = Annotated[str, typer.Argument(help="Workflow id.")]


def _has_terminal() -> bool:
    """Whether a terminal editor can run here: standard input and output are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _editor(workflow_id: str) -> str:
    """The editor to open: VISUAL or EDITOR, else ``vi`` where there is a terminal for it.

    Raises:
        UserError: Neither is set and there is no terminal (``vi`` on a pipe draws its
            screen into the output and never returns).
    """
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return chosen
    if not _has_terminal():
        raise UserError("No terminal to open an editor in, and no EDITOR set",
                        f"give the new draft as a file: `research edit {workflow_id} --file "
                        "F`, or set EDITOR to an editor that opens its own window")
    return "vi"


def edit_in_editor(text: str, workflow_id: str) -> str:
    """Open ``$EDITOR`` (default ``vi``) on ``text`` and return the saved result."""
    editor = _editor(workflow_id)
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as f:
        f.write(text)
        path = Path(f.name)
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=True)
        return path.read_text(encoding="utf-8")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UserError(f"The editor {editor!r} failed: {exc}", "set EDITOR") from None
    finally:
        path.unlink(missing_ok=True)


def show_draft(draft: str, version: int) -> None:
    """Render a draft in the terminal."""
    from rich.markdown import Markdown  # imports pygments: only when a draft is shown

    console.print(Panel(Markdown(strip_controls(draft)), title=f"draft v{version}",
                        border_style="cyan"), width=PROSE_WIDTH)


def _ask(workflow_id: str, prompt: str, **options: Any) -> str:
    """Prompt.ask; with no one to answer (standard input ended: a pipe, cron, an agent)
    the commands that decide without a prompt, instead of click's bare "Aborted." (exit 1).
    """
    try:
        return Prompt.ask(prompt, **options)
    except EOFError:
        console.print()  # end the prompt's line
        wid = workflow_id  # print_user_error escapes it
        raise UserError(
            "No decision: standard input ended before an answer (the draft waits for review)",
            f"decide without a prompt: `research approve {wid}`, `research reject {wid}`, "
            f"`research revise {wid} --feedback \"...\"` or `research edit {wid} --file F`",
        ) from None


async def interactive_review(client: Client, workflow_id: str) -> None:
    """Show the draft and ask for a decision until approve or reject."""
    state = await rc.describe_report(client, workflow_id)
    if not state.query or state.query.step != ReportStep.REVIEW:
        step = state.query.step if state.query else state.status
        raise UserError(f"Workflow {workflow_id} is not waiting for review (step: {step})")
    draft, version = state.query.draft, state.query.versions
    while True:
        show_draft(draft, version)
        action = _ask(workflow_id, "Decision", choices=list(REVIEW_ACTIONS),
                      default=ReviewAction.APPROVE.value)
        review = ReviewInput(action=action, reviewer=rc.reviewer_name())
        if action == ReviewAction.EDIT:
            review.text = edit_in_editor(draft, workflow_id)
        elif action == ReviewAction.REVISE:
            review.feedback = _ask(workflow_id, "What should change")
        try:
            busy = "revising..." if action == ReviewAction.REVISE else "sending review..."
            with console.status(plain(busy)):
                outcome = await rc.send_review(client, workflow_id, review)
        except UserError as exc:
            console.print(f"[red]{safe(exc.message)}[/]")
            continue
        console.print(outcome.message)
        if action in (ReviewAction.APPROVE, ReviewAction.REJECT):
            return
        draft, version = outcome.draft, outcome.version


def _one(workflow_id: str, review: ReviewInput, show: bool = False) -> None:
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_for_decision(settings, workflow_id)
        outcome = await rc.send_review(conn.client, workflow_id, review)
        if show:
            show_draft(outcome.draft, outcome.version)
        console.print(outcome.message)

    run_async(go())


@friendly
def review(workflow_id: IdArg) -> None:
    """Show the draft and decide: approve, edit ($EDITOR), revise (LLM) or reject."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_for_decision(settings, workflow_id)
        await interactive_review(conn.client, workflow_id)

    run_async(go())


@friendly
def approve(workflow_id: IdArg) -> None:
    """Approve the draft; the report is written."""
    _one(workflow_id, ReviewInput(action=ReviewAction.APPROVE, reviewer=rc.reviewer_name()))


@friendly
def reject(workflow_id: IdArg) -> None:
    """Reject the draft; the workflow ends with status "rejected"."""
    _one(workflow_id, ReviewInput(action=ReviewAction.REJECT, reviewer=rc.reviewer_name()))


@friendly
def revise(
    workflow_id: IdArg,
    feedback: Annotated[str, typer.Option("--feedback", "-f", help="What should change.")],
) -> None:
    """Ask the LLM to revise the draft with your feedback; shows the new draft."""
    _one(workflow_id, ReviewInput(action=ReviewAction.REVISE, feedback=feedback,
                                  reviewer=rc.reviewer_name()), show=True)


@friendly
def edit(
    workflow_id: IdArg,
    file: Annotated[Path | None, typer.Option("--file", help="Replacement text file.")] = None,
) -> None:
    """Replace the draft with your text (from --file, or $EDITOR on the current draft)."""
    if file is not None:
        try:
            with file.open("rb") as f:  # bounded: encoded, the text is at least this long
                data = f.read(MAX_REVIEW_BYTES + 1)
            if len(data) > MAX_REVIEW_BYTES:
                raise UserError(f"{file} is over {MAX_REVIEW_BYTES / 1e6:.1f} MB; a review "
                                "can send at most that", "shorten the draft")
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise unreadable_file(file, "the draft", exc, stdin=False) from None
        _one(workflow_id, ReviewInput(action=ReviewAction.EDIT, text=text,
                                      reviewer=rc.reviewer_name()))
        return
    settings = settings_or_exit()
    _editor(workflow_id)  # no editor can run: said before anything is asked of the server

    async def go() -> None:
        conn = await connect_for_decision(settings, workflow_id)
        state = await rc.describe_report(conn.client, workflow_id)
        current = state.query.draft if state.query else ""
        text = edit_in_editor(current, workflow_id)
        review = ReviewInput(action=ReviewAction.EDIT, text=text, reviewer=rc.reviewer_name())
        outcome = await rc.send_review(conn.client, workflow_id, review)
        console.print(outcome.message)

    run_async(go())


def register(app: typer.Typer) -> None:
    """Add the review commands to ``app``."""
    app.command()(review)
    app.command()(approve)
    app.command()(reject)
    app.command()(revise)
    app.command()(edit)
