"""Research commands and output: sources for run/start, budget, plan review, clarifying
questions, progress."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from durable_research import client as rc
from durable_research.cli.common import (
    answer_command,
    connect_cli,
    connect_for_decision,
    console,
    err,
    friendly,
    plain,
    run_async,
    settings_or_exit,
)
from durable_research.client import research as cr
from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.client.present import (
    answers_sent,
    plan_lines,
    plan_review_done,
    report_plan,
)
from durable_research.client.requests import unreadable_file
from durable_research.client.research import ResearchOptions
from durable_research.client.review import plan_review_input
from durable_research.client.workers import workers_here
from durable_research.config import Settings
from durable_research.contract.report import ReportInput, ReportStep
from durable_research.contract.review import (
    AnswersInput,
    PlanReviewAction,
)
from durable_research.errors import UserError
from durable_research.research.language import describe_language
from durable_research.research.websearch import describe_web_search
from durable_research.terminal import safe

__all__ = ["ReportRequest", "ResearchOptions", "prepare"]
# Skipped --sources files listed on the terminal (the collection keeps up to 200).
SKIPPED_SHOWN = 10
# Without a terminal (a log, a pipe), a line every so many documents read: a folder of a
# thousand documents takes a minute, which a silent log cannot tell from a hang.
PROGRESS_EVERY = 100


def format_reading(count: int, name: str = "") -> str:
    """"reading your documents: 120 read (guides/setup.md)"."""
    return f"reading your documents: {count} read" + (f" ({name})" if name else "")


IdArg = Annotated[str, typer.Argument(help="Workflow id.")]


def prepare(settings: Settings, request: ReportRequest) -> ReportInput:
    """The validated input (``client.prepare_report``), saying what --sources stored and
    what could not be checked here."""

    async def ingest() -> cr.PreparedSources:
        with err.status(plain("reading your documents...")) as status:
            def progress(count: int, name: str) -> None:
                if err.is_terminal:
                    status.update(plain(safe(format_reading(count, name))))
                elif count % PROGRESS_EVERY == 0:
                    err.print(f"[dim]{safe(format_reading(count))}[/]", highlight=False)

            return cr.ingest_sources(settings, request.research.sources, progress)

    prepared = run_async(prepare_report(settings, request, ingest,
                                        workers_here=workers_here))
    for line in prepared.notes:
        err.print(f"[yellow]{safe(line)}[/]", highlight=False)
    if request.research.sources:
        _print_sources(prepared.sources)
    if prepared.web_search is not None:
        # stderr, like the documents' line; yellow when the report searches no web.
        colour = "dim" if prepared.web_search.provider else "yellow"
        err.print(f"[{colour}]{safe(describe_web_search(prepared.web_search))}[/]",
                  highlight=False)
    colour = "yellow" if prepared.language.unsure else "dim"
    err.print(f"[{colour}]{safe(describe_language(prepared.language))}[/]", highlight=False)
    return prepared.params


def _print_sources(prepared: cr.PreparedSources) -> None:
    # stderr: `research start` keeps stdout for the workflow id alone.
    err.print(f"[dim]{prepared.documents} document(s) from --sources stored in "
              f"{safe(prepared.store)}[/]", highlight=False)
    for line in prepared.skipped[:SKIPPED_SHOWN]:
        err.print(f"[yellow]skipped[/] {safe(line)}", highlight=False)
    if len(prepared.skipped) > SKIPPED_SHOWN:
        err.print(f"[yellow]skipped[/] ... and {len(prepared.skipped) - SKIPPED_SHOWN} "
                  "more", highlight=False)


@friendly
def raise_budget_cmd(
    workflow_id: IdArg,
    # Text, checked by the client (client/numbers) as run's caps are.
    usd: Annotated[str, typer.Option(
        "--usd", metavar="USD", help="New cost cap in USD, e.g. 0.50.")] = "0",
    tokens: Annotated[str, typer.Option("--tokens", metavar="N", help="New token cap.")] = "0",
    pages: Annotated[str, typer.Option("--pages", metavar="N", help="New page cap.")] = "0",
) -> None:
    """Raise a running report's budget so its research can go on."""
    settings = settings_or_exit()
    caps = cr.budget_raise_input(usd, tokens, pages, ("--usd", "--tokens", "--pages"))

    async def go() -> None:
        conn = await connect_for_decision(settings, workflow_id)
        out = await cr.raise_budget(conn.client, workflow_id, caps)
        console.print(safe(out.message), highlight=False)

    run_async(go())


@friendly
def plan_cmd(
    workflow_id: IdArg,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the plan.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject it (no report).")] = False,
    edit: Annotated[str | None, typer.Option(
        "--edit", help="File with the new sub-questions, one per line ('-': stdin).")] = None,
    allow_domain: Annotated[list[str] | None, typer.Option(
        "--allow-domain", help="With --edit: only pages from this domain (repeatable).")] = None,
    deny_domain: Annotated[list[str] | None, typer.Option(
        "--deny-domain", help="With --edit: no pages from this domain (repeatable).")] = None,
) -> None:
    """Show a report's research plan, or approve / edit / reject it (with --review-plan)."""
    settings = settings_or_exit()
    chosen = [a for a, on in ((PlanReviewAction.APPROVE, approve),
                              (PlanReviewAction.REJECT, reject),
                              (PlanReviewAction.EDIT, edit is not None)) if on]
    if len(chosen) > 1:
        raise UserError("Choose one of --approve, --edit, --reject")
    if not chosen and (allow_domain or deny_domain):
        raise UserError("--allow-domain/--deny-domain go with --approve or --edit",
                        f"e.g. `research plan {workflow_id} --approve --allow-domain x.org`")
    subquestions = _read_lines(edit) if edit is not None else []

    async def go() -> None:
        conn = await (connect_for_decision(settings, workflow_id) if chosen
                      else connect_cli(settings))
        state = await rc.describe_report(conn.client, workflow_id, with_query=True)
        if not chosen:
            plan = report_plan(state)
            if not plan:
                console.print("No research plan yet.")
            for line in plan_lines(plan):
                console.print(safe(line), highlight=False)
            if state.query and state.query.step == ReportStep.PLAN_REVIEW:
                console.print(plan_review_hint(workflow_id), highlight=False)
            return
        plan = await cr.review_plan(conn.client, workflow_id, plan_review_input(
            chosen[0], subquestions, allow_domain, deny_domain, rc.reviewer_name(),
            domain_labels=("--allow-domain", "--deny-domain")))
        console.print(plan_review_done(chosen[0]))
        if chosen[0] != PlanReviewAction.REJECT:
            for line in plan_lines(plan):
                console.print(safe(line), highlight=False)

    run_async(go())


@friendly
def answer_cmd(
    workflow_id: IdArg,
    answers: Annotated[list[str] | None, typer.Argument(
        help="One answer per question, in order ('' skips one).")] = None,
    none: Annotated[bool, typer.Option(
        "--none", help="Answer nothing: plan from the question as written.")] = False,
) -> None:
    """Show a report's clarifying questions (with --clarify), or answer them."""
    settings = settings_or_exit()
    if none and answers:
        raise UserError("Give answers or --none, not both")

    async def go() -> None:
        deciding = bool(answers) or none
        conn = await (connect_for_decision(settings, workflow_id) if deciding
                      else connect_cli(settings))
        if not answers and not none:
            state = await rc.describe_report(conn.client, workflow_id, with_query=True)
            questions = state.query.questions if state.query else []
            waiting = bool(state.query and state.query.step == ReportStep.CLARIFY)
            if not questions and state.status == rc.RUNNING:
                # Asked a moment after `start`, the model may not have asked yet.
                step = state.query.step if state.query else ReportStep.STARTING
                console.print(f"No clarifying questions yet (step: {safe(step)}).")
                return
            show_questions(workflow_id, questions, waiting)
            return
        await send_answers(conn, workflow_id, answers or [])

    run_async(go())


def plan_review_hint(workflow_id: str) -> str:
    """How to decide on a plan that waits for review (markup-safe)."""
    wid = safe(workflow_id)
    return (f"Approve with `research plan {wid} --approve`, edit with `research plan {wid} "
            f"--edit FILE` (one sub-question a line), or reject with `research plan {wid} "
            "--reject`.")


def draft_review_hint(workflow_id: str) -> str:
    """How to decide on a draft that waits for review (markup-safe)."""
    wid = safe(workflow_id)
    return (f"Review with `research review {wid}`, or `research approve {wid}`, `research "
            f"edit {wid} --file F`, `research revise {wid} --feedback TEXT`, `research reject "
            f"{wid}`.")


def show_questions(workflow_id: str, questions: list[str], waiting: bool) -> None:
    """Print the clarifying questions and how to answer them."""
    if not questions:
        console.print("This report asked no clarifying questions.")
        return
    console.print("[bold]Clarifying questions[/]" + (" waiting for your answers:" if waiting
                                                    else " (answered):"))
    for line in plan_lines(questions, "  "):
        console.print(safe(line), highlight=False)
    if waiting:
        console.print(f"Answer with `{safe(answer_command(workflow_id, len(questions)))}`, "
                      f"or `research answer {safe(workflow_id)} --none`.", highlight=False)


async def send_answers(conn: rc.Connection, workflow_id: str, answers: list[str]) -> None:
    """Send the answers and say what happens next."""
    await cr.answer_questions(conn.client, workflow_id,
                              AnswersInput(answers=answers, reviewer=rc.reviewer_name()))
    console.print(answers_sent(answers))


async def ask_in_terminal(conn: rc.Connection, workflow_id: str, questions: list[str]) -> None:
    """Ask each clarifying question at the prompt (Enter skips one) and send the answers."""
    from rich.prompt import Prompt

    show_questions(workflow_id, questions, waiting=False)
    answers = [Prompt.ask(f"{i}. {safe(q)}", default="", show_default=False)
               for i, q in enumerate(questions, 1)]
    try:
        await send_answers(conn, workflow_id, answers)
    except UserError as exc:  # e.g. the deadline passed while the user typed
        err.print(f"[yellow]{safe(exc.message)}[/]")


def _read_lines(source: str) -> list[str]:
    import sys

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable_file(source, "the sub-questions", exc) from None
    lines = [line.strip().lstrip("-*0123456789.) ").strip() for line in text.splitlines()]
    return [line for line in lines if line]


def register(app: typer.Typer) -> None:
    """Add the research commands to ``app``."""
    app.command("raise-budget")(raise_budget_cmd)
    app.command("plan")(plan_cmd)
    app.command("answer")(answer_cmd)
