"""Report commands: run, start, status, result, list."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

import typer
from rich.table import Table
from temporalio.client import WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.cli.common import (
    PROSE_WIDTH,
    answer_command,
    connect_cli,
    console,
    err,
    friendly,
    llm_ready_settings,
    print_listing,
    print_result,
    print_table,
    run_async,
    settings_or_exit,
)
from durable_research.cli.progress import follow
from durable_research.cli.research import (
    ReportRequest,
    ResearchOptions,
    draft_review_hint,
    plan_review_hint,
    prepare,
)
from durable_research.client.numbers import parse_bounded
from durable_research.client.present import (
    FAILURE_ROW,
    STEP_ROW,
    UNKNOWN_STEP,
    status_rows,
)
from durable_research.config import Settings
from durable_research.contract.report import ReportInput, ReportResult, ReportStep
from durable_research.embedded import local_worker
from durable_research.errors import UserError
from durable_research.terminal import safe, strip_controls

# What `status` says of a running report no worker answers for, on the embedded server
# and on another (a cluster's, whose workers are the user's to run).
NO_WORKER_EMBEDDED = ("`research server` starts the embedded server's worker; the report "
                      "goes on from its last finished step")
NO_WORKER_CLUSTER = ("start one with `research worker` (or `research result {id}`, which "
                     "hosts one)")
# Characters of a draft under review `status` shows (`research review` shows it all).
DRAFT_SHOWN = 4000
PromptArg = Annotated[str | None, typer.Argument(help="The research question.")]
ReviewOpt = Annotated[bool, typer.Option("--review", help="Wait for a human review of the draft.")]
FormatOpt = Annotated[str, typer.Option("--format", help="Comma-separated: pdf,md,html,docx.")]
OutOpt = Annotated[str | None, typer.Option("--out", help="Output directory.")]
OverwriteOpt = Annotated[bool, typer.Option(
    help="Replace an existing report file of the same name (an earlier run's with this --id "
         "too); without it a run never replaces another's files.")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="Mail the report to these.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="litellm model, e.g. openai/gpt-4o.")]
IdOpt = Annotated[str | None, typer.Option(
    "--id", help="Workflow id: letters, digits, '.', '_', '-' (default: generated).")]
FileOpt = Annotated[
    str | None, typer.Option("--file", help="Read the question from a file ('-': stdin).")
]
SourcesOpt = Annotated[list[str] | None, typer.Option(
    "--sources", help="Research these documents (folder or file; repeatable): md, txt, html, "
    "pdf, docx, pptx, xlsx, epub.")]
DepthOpt = Annotated[str, typer.Option(
    "--depth", help="quick (one answer, no sources), standard or deep.")]
WebOpt = Annotated[bool, typer.Option(help="Search the web when the worker has a provider.")]
ReviewPlanOpt = Annotated[bool, typer.Option(
    "--review-plan", help="Wait for a human to approve or edit the research plan.")]
ClarifyOpt = Annotated[bool, typer.Option(
    "--clarify", help="Let the model ask you up to 3 questions before it plans the research.")]
# The numbers are read as text and checked by the client (client/numbers), which says
# what it wants; click's own check answered "'abc' is not a valid float range".
BudgetOpt = Annotated[str, typer.Option(
    "--budget-usd", metavar="USD", help="Cost cap in USD, e.g. 0.50 (0: none).")]
PagesOpt = Annotated[str, typer.Option(
    "--max-pages", metavar="N", help="Page cap (0: none).")]
TokensOpt = Annotated[str, typer.Option(
    "--max-tokens", metavar="N", help="Cap on LLM tokens (0: none).")]
AgentOpt = Annotated[bool | None, typer.Option(
    "--agent/--no-agent", help="The research agent: the model chooses searches, reads and "
    "notes with tools (default: on for standard/deep when the model calls tools).",
    show_default=False)]
StepsOpt = Annotated[str, typer.Option(
    "--max-steps", metavar="N",
    help="The agent's model turns per sub-question (0: 12 standard, 24 deep).")]
LanguageOpt = Annotated[str, typer.Option(
    "--language", help="Write the plan, notes and report in this language: a code or name "
                       "(de, pt-BR, ja, German; default: the question's language).")]
AllowOpt = Annotated[list[str] | None, typer.Option(
    "--allow-domain", help="Only use web pages from this domain (repeatable).")]
DenyOpt = Annotated[list[str] | None, typer.Option(
    "--deny-domain", help="Never use web pages from this domain (repeatable).")]
PreferDomainOpt = Annotated[list[str] | None, typer.Option(
    "--prefer-domain", help="Rank web pages from this domain first among relevant ones "
                            "(repeatable).")]
PreferPathOpt = Annotated[list[str] | None, typer.Option(
    "--prefer-path", help="Rank documents in this folder, file or glob under --sources first "
                          "among relevant ones (repeatable).")]


def early_worker(settings: Settings) -> Callable[[], None]:
    """Start the supervised worker of ``settings`` while the embedded server boots.

    A worker process takes longer to import than the server to boot: started with the
    server instead of after it, it polls about when the server serves. The same call
    after the report started (:func:`local_worker.ensure_worker` keeps a worker that
    matches) reports a refusal to the user; here it is only an early start.
    """

    def start() -> None:
        with contextlib.suppress(Exception):  # the call after the start reports it
            # Not waiting for the embedded model to load: the call before the start does.
            local_worker.ensure_worker(settings, wait_for_model=False)

    return start


async def _start(
    settings: Settings, params: ReportInput, workflow_id: str | None, quiet: bool = False,
    conn: rc.Connection | None = None,
) -> tuple[rc.Connection, WorkflowHandle[Any, ReportResult]]:
    if workflow_id is not None:
        rc.check_workflow_id(workflow_id)
    conn = conn or await connect_cli(settings, on_server_launch=early_worker(settings))
    try:
        handle = await rc.start_report(conn.client, settings, params, workflow_id)
    except WorkflowAlreadyStartedError:
        raise UserError(f"A workflow with id {workflow_id!r} is already running") from None
    except RPCError as exc:
        raise UserError(f"Could not start the workflow: {exc.message}") from None
    link = rc.ui_link(settings, conn, handle.id)
    if quiet:
        return conn, handle
    console.print(f"Started workflow [bold]{safe(handle.id)}[/]")
    if link:
        console.print(f"[dim]Follow it in the Web UI: {safe(link)}[/]")
    return conn, handle


@friendly
def run(
    prompt: PromptArg = None, review: ReviewOpt = False, fmt: FormatOpt = "pdf",
    out: OutOpt = None, overwrite: OverwriteOpt = False, email: EmailOpt = None,
    model: ModelOpt = None, workflow_id: IdOpt = None, prompt_file: FileOpt = None,
    worker: Annotated[bool, typer.Option(
        help="Make sure a worker runs: the embedded server's supervised one, else one in "
             "this process.")] = True,
    sources: SourcesOpt = None, depth: DepthOpt = "standard", web: WebOpt = True,
    review_plan: ReviewPlanOpt = False, budget_usd: BudgetOpt = "0", max_pages: PagesOpt = "0",
    max_tokens: TokensOpt = "0", allow_domain: AllowOpt = None, deny_domain: DenyOpt = None,
    prefer_domain: PreferDomainOpt = None, prefer_path: PreferPathOpt = None,
    clarify: ClarifyOpt = False, agent: AgentOpt = None, max_steps: StepsOpt = "0",
    language: LanguageOpt = "",
) -> None:
    """Research a question and write the report, showing progress until it is done."""
    settings = configured = settings_or_exit()
    if workflow_id is not None:
        rc.check_workflow_id(workflow_id)
    if worker and model:  # this process's own worker may use the model its owner asks for
        allowed = ",".join(m for m in (settings.llm_allowed_models, model) if m)
        settings = replace(settings, llm_allowed_models=allowed)
    # With a worker here, --out is this run's own worker's output folder (the files are
    # copied from the store if another worker wrote them); without, a folder the workers
    # write into.
    copy_to = rc.copy_target(out) if worker and out else None
    # The supervised worker runs it (else this run's own worker, on a queue of its own).
    supervised = worker and not model and copy_to is None
    if supervised:  # its refusal comes before --sources are read
        local_worker.check_running_worker(configured)
    # With copy_to, this run's own worker writes there (checked), not in the configured one.
    writes = replace(settings, output_dir=str(copy_to)) if copy_to else settings
    params = prepare(writes, ReportRequest(
        rc.read_prompt(prompt, prompt_file), review, fmt, None if copy_to else out, overwrite,
        email, model, ResearchOptions(
            sources or [], depth, web, review_plan, budget_usd, max_pages, max_tokens,
            allow_domain or [], deny_domain or [], prefer_domains=prefer_domain or [],
            prefer_paths=prefer_path or [], clarify=clarify, agent=agent,
            max_steps=max_steps, language=language)))
    if worker:
        # The supervised worker's model is only launched here: it loads while the
        # server and the worker start, and is waited for before the report starts.
        settings = llm_ready_settings(settings, model, wait=not supervised)

    stopped_following = False  # Ctrl-C said so with its resume command

    async def go() -> None:
        nonlocal settings, stopped_following
        # Starts the embedded server if it is the one, and the supervised worker with it
        # (unless this run needs its own, on a private queue: see below).
        conn = await connect_cli(settings, on_server_launch=early_worker(configured)
                                 if supervised else None)
        # This run's own worker may call --model and writes into --out; the supervised
        # worker may not (a command never changes its LLM_ALLOWED_MODELS, and it writes
        # only under its RESEARCH_OUTPUT_DIR: a second copy in ./reports), so the report
        # goes to a queue only this process serves.
        private_queue = worker and not supervised and local_worker.embedded_mode(settings)
        if private_queue:
            settings = replace(settings,
                               task_queue=f"{settings.task_queue}.run-{uuid4().hex[:12]}")
        # The embedded server's supervised worker (with the settings as configured,
        # never this command's changes), unless this run needs its own. Before the
        # start: a worker that refuses these settings must not get the report to run
        # with its own.
        hosted = worker and (private_queue or not local_worker.ensure_worker(configured))
        if hosted and supervised and settings.llm_api_base != configured.llm_api_base:
            # No supervised worker waited for the embedded model launched above: this
            # process's own worker calls it.
            from durable_research.embedded import localmodel

            await asyncio.to_thread(localmodel.ensure_local_llm, settings.data_path)
        conn, handle = await _start(settings, params, workflow_id, conn=conn)
        if hosted and copy_to is not None:
            settings = replace(settings, output_dir=str(copy_to))
        interactive = review and console.is_terminal
        try:
            result = await follow(settings, conn, handle, hosted, interactive)
        except asyncio.CancelledError:  # Ctrl-C: asyncio cancels us, then raises it
            own_env = " ".join(
                [f"LLM_ALLOWED_MODELS={model}"] * bool(model)
                + [f"RESEARCH_OUTPUT_DIR={copy_to}"] * (copy_to is not None))
            resume = (f"{own_env} research worker --task-queue {settings.task_queue}"
                      if private_queue else f"research result {handle.id}")
            err.print(f"\nStopped following {safe(handle.id)}; its state is safe on the server. "
                      f"Resume with `{safe(resume)}`.")
            stopped_following = True
            raise
        print_result(result, handle.id, rc.ui_link(settings, conn, handle.id))
        if copy_to is not None and result.status == ReportStep.COMPLETED and not all(
                Path(p).resolve().parent == copy_to for p in result.paths):
            # Another worker wrote them (a cluster's queue): copy them from the store.
            from durable_research.client.research import download_report

            for path in download_report(settings, result, str(copy_to)):
                console.print(f"copied to --out: [bold]{safe(str(path))}[/]", highlight=False)

    try:
        run_async(go())
    except KeyboardInterrupt:
        if not stopped_following:
            raise  # `friendly` says it
        raise typer.Exit(130) from None  # said above, with the resume command


@friendly
def start(
    prompt: PromptArg = None, review: ReviewOpt = False, fmt: FormatOpt = "pdf",
    out: OutOpt = None, overwrite: OverwriteOpt = False, email: EmailOpt = None,
    model: ModelOpt = None, workflow_id: IdOpt = None, prompt_file: FileOpt = None,
    sources: SourcesOpt = None, depth: DepthOpt = "standard", web: WebOpt = True,
    review_plan: ReviewPlanOpt = False, budget_usd: BudgetOpt = "0", max_pages: PagesOpt = "0",
    max_tokens: TokensOpt = "0", allow_domain: AllowOpt = None, deny_domain: DenyOpt = None,
    prefer_domain: PreferDomainOpt = None, prefer_path: PreferPathOpt = None,
    clarify: ClarifyOpt = False, agent: AgentOpt = None, max_steps: StepsOpt = "0",
    language: LanguageOpt = "",
) -> None:
    """Start a report and return at once; prints the workflow id."""
    settings = settings_or_exit()
    if workflow_id is not None:
        rc.check_workflow_id(workflow_id)
    local_worker.check_running_worker(settings)  # before --sources are read, as `run`
    params = prepare(settings, ReportRequest(
        rc.read_prompt(prompt, prompt_file), review, fmt, out, overwrite, email, model,
        ResearchOptions(
            sources or [], depth, web, review_plan, budget_usd, max_pages, max_tokens,
            allow_domain or [], deny_domain or [], prefer_domains=prefer_domain or [],
            prefer_paths=prefer_path or [], clarify=clarify, agent=agent,
            max_steps=max_steps, language=language)))

    async def go() -> None:
        conn = await connect_cli(settings, on_server_launch=early_worker(settings))
        # As `run`: the supervised worker serves the settings as they are now (a changed
        # model or key restarts it), or the report would run with the previous ones;
        # before the start, so that a refusal leaves no report behind.
        supervised = local_worker.ensure_worker(settings)
        _conn, handle = await _start(settings, params, workflow_id, quiet=True, conn=conn)
        who = ("The embedded server's worker processes it" if supervised
               else "A worker must be running to process it (`research worker`)")
        err.print(f"[dim]Started. {who}; then `research status {handle.id}` or "
                  f"`research result {handle.id}`.[/]")
        # The id alone on stdout, so scripts can capture it.
        typer.echo(handle.id)

    run_async(go())


@friendly
def status(workflow_id: Annotated[str, typer.Argument(help="Workflow id.")]) -> None:
    """Show where a report is: step, attempts, draft, cost so far, review state."""
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        state = await rc.describe_report(conn.client, workflow_id)
        if state.result:
            print_result(state.result, workflow_id, rc.ui_link(settings, conn, workflow_id))
            return
        table = Table(show_header=False, box=None)
        table.add_row("workflow", safe(workflow_id))
        for label, value in status_rows(state):
            style = ("red" if label == FAILURE_ROW
                     else "dim" if label == STEP_ROW and value == UNKNOWN_STEP else "")
            table.add_row(label, f"[{style}]{safe(value)}[/]" if style else safe(value))
        q = state.query
        if q is None and state.status == rc.RUNNING:
            # The embedded server restarted (a reboot, `research server --stop`) comes back
            # without its worker: the report waits, and nothing said how to let it go on.
            table.add_row("no worker", NO_WORKER_EMBEDDED if local_worker.embedded_mode(
                settings) else NO_WORKER_CLUSTER.format(id=safe(workflow_id)))
        if q and q.waiting_for_answers_since:
            table.add_row("answer with", safe(answer_command(workflow_id, len(q.questions))))
        link = rc.ui_link(settings, conn, workflow_id)
        if link:
            table.add_row("web UI", link)
        print_table(table)
        if q and q.history:
            console.print("[bold]History[/]")
            for line in q.history:
                console.print(f"  {strip_controls(line)}", highlight=False, markup=False)
        waiting = state.status == rc.RUNNING and q is not None
        reviewing = bool(waiting and q and q.draft and q.step in (ReportStep.REVIEW,
                                                                 ReportStep.REVISING))
        # The draft under review holds every section: shown once, below.
        if q and q.research and q.research.sections and not reviewing:
            from rich.markdown import Markdown
            from rich.panel import Panel

            from durable_research.client.draft import (
                draft_sections_async,
                draft_text,
                draft_title,
            )

            texts = await draft_sections_async(settings, workflow_id, q.research)
            if texts:
                console.print(Panel(Markdown(strip_controls(draft_text(texts))),
                                    title=draft_title(q.research)), width=PROSE_WIDTH)
        if q and reviewing:
            from rich.markdown import Markdown
            from rich.panel import Panel

            shown = q.draft[:DRAFT_SHOWN]
            if len(q.draft) > DRAFT_SHOWN:
                shown += (f"\n\n*… {len(q.draft) - DRAFT_SHOWN:,} more characters: "
                          f"`research review {workflow_id}` shows the whole draft*")
            console.print(Panel(Markdown(strip_controls(shown)),
                                title=f"draft v{q.versions}"), width=PROSE_WIDTH)
        if q and waiting and q.step == ReportStep.PLAN_REVIEW:
            console.print(plan_review_hint(workflow_id), highlight=False)
        elif q and waiting and q.step == ReportStep.REVIEW:
            console.print(draft_review_hint(workflow_id), highlight=False)

    run_async(go())


@friendly
def result(
    workflow_id: Annotated[str, typer.Argument(help="Workflow id.")],
    worker: Annotated[bool, typer.Option(
        help="Make sure a worker runs while waiting (as for run).")] = True,
    download: Annotated[str | None, typer.Option(
        "--download", help="Copy the report files from the artifact store into this folder.",
    )] = None,
) -> None:
    """Wait for a report to finish (hosting a worker meanwhile) and print its result."""
    settings = settings_or_exit()
    if download is not None:
        from durable_research.client.research import download_folder

        download_folder(download)  # before the wait: a folder it cannot write costs none

    async def go() -> None:
        conn = await connect_cli(settings)
        state = await rc.describe_report(conn.client, workflow_id)  # an unknown id: refused
        handle = conn.client.get_workflow_handle(workflow_id, result_type=ReportResult)
        ready, with_worker = settings, False
        if worker and state.status == rc.RUNNING:
            try:  # the worker it makes sure of must be able to call the LLM
                ready = llm_ready_settings(settings, None)
            except UserError:
                pass  # waiting for a result needs no LLM here; a worker elsewhere may have one
            with_worker = not local_worker.ensure_worker(settings)
        res = await follow(ready, conn, handle, with_worker, attached=True)
        print_result(res, workflow_id, rc.ui_link(settings, conn, workflow_id))
        if download is not None and res.status == ReportStep.COMPLETED:
            from durable_research.client.research import download_report

            for path in download_report(settings, res, download):
                console.print(f"downloaded [bold]{safe(str(path))}[/]")

    run_async(go())


@friendly
def list_cmd(
    limit_text: Annotated[str, typer.Option(
        "--limit", metavar="N", help=f"How many to show (1 to {rc.MAX_LIST}).")] = "20",
) -> None:
    """List recent reports, newest first."""
    limit = parse_bounded(limit_text, "--limit", 1, rc.MAX_LIST)
    settings = settings_or_exit()

    async def go() -> None:
        conn = await connect_cli(settings)
        reports = await rc.list_reports(conn.client, limit)
        if not reports:
            console.print("No reports yet: start one with `research run`.")
            return
        print_listing(("workflow", "status", "started (UTC)", "question", "report"),
                      [(safe(r.workflow_id), r.status, r.started, safe(r.question[:80]),
                        safe(r.location)) for r in reports], whole=(0, 1), droppable=4,
                      dropped_note="Where each report is: `research status ID`, or a wider "
                                   "terminal.")

    run_async(go())


# The commands register adds, by name (``cli.main`` builds only these to run one of them).
COMMANDS = frozenset({"run", "start", "status", "result", "list"})


def register(app: typer.Typer) -> None:
    """Add the reports commands (:data:`COMMANDS`) to ``app``."""
    app.command()(run)
    app.command()(start)
    app.command()(status)
    app.command()(result)
    app.command("list")(list_cmd)
