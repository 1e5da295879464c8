"""``GenerateReportWorkflow``: research -> (optional human review) -> PDF -> e-mail.

Deterministic orchestration only: every side effect is an activity, referenced
by name so this module imports no I/O libraries into the workflow sandbox.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    is_cancelled_exception,
)

from durable_research.workflows.own_id import check_own_id
from durable_research.workflows.research import Research
from durable_research.workflows.research_handlers import ResearchHandlers
from durable_research.workflows.review_handlers import DraftReview
from durable_research.workflows.steps import (
    CHANGES_STEP,
    EMAIL_STEP,
    LLM_STEP,
    PDF_STEP,
    READ_STEP,
    SOURCES_STEP,
    Step,
    run_step,
)

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.llm import LlmCallInput, LlmCallOutput
    from durable_research.contract.report import (
        DEFAULT_PROMPT,
        HISTORY_STAMP,
        WORKFLOW_ID_PREFIX,
        ChangesInput,
        ChangesOutput,
        CreatePdfInput,
        CreatePdfOutput,
        ReportContent,
        ReportInput,
        ReportResult,
        ReportStatus,
        ReportStep,
        SendEmailInput,
        SendEmailOutput,
        report_message_key,
    )
    from durable_research.contract.research import Depth
    from durable_research.contract.review import ReviewAction
    from durable_research.llm import prompts
    from durable_research.research.agent.choice import choose
    from durable_research.research.types import SourcesAvailable, SourcesInput


def _words(text: str) -> list[str]:
    """Runs of letters and digits with their combining marks: a Devanagari or Thai vowel
    sign is no word break (a regex ``\\w`` leaves marks out). A mark is told by the
    identifier rules, whose continuing characters add marks (and ``_``) to letters and
    digits: ``unicodedata`` is not among workflow code's imports."""
    words: list[str] = []
    word = ""
    for char in text:
        if char.isalnum() or (word and char != "_" and f"a{char}".isidentifier()):
            word += char
        else:
            words += [word] if word else []
            word = ""
    return words + ([word] if word else [])


def report_basename(prompt: str, workflow_id: str) -> str:
    """File name stem for a report: a slug of the question plus the workflow id's tail."""
    words = _words(prompt.lower())[:6]
    slug = "-".join(words)[:48].strip("-") or "report"
    tail = re.sub(r"[^A-Za-z0-9]+", "-", workflow_id.removeprefix(WORKFLOW_ID_PREFIX))
    tail = tail[-12:].strip("-")
    return f"{slug}-{tail}" if tail else slug


R = TypeVar("R")
RESEARCH_PATCH = "research-v1"
# Research that spent the whole budget without a source writes no fallback answer (it was
# one more full LLM call past the cap). Asked only when that happens: no marker otherwise.
BUDGET_FALLBACK_PATCH = "no-fallback-past-budget"
# A scheduled report starts with what changed since the schedule's previous report (one
# more activity). Asked only by scheduled reports: an ordinary one records no marker.
CHANGES_PATCH = "changes-since-last-run"


@workflow.defn(name="GenerateReportWorkflow")
class GenerateReportWorkflow(ResearchHandlers, DraftReview):
    """Turns a research question into a report, durably, with optional review."""

    def __init__(self) -> None:
        """Initialise the query-visible state."""
        self._status = ReportStatus()
        self._versions: list[str] = []
        self._decision: str = ""
        self._question = DEFAULT_PROMPT
        self._requested_model = ""
        self._language = ""
        self._note = ""
        self._subquestions: list[str] = []
        self._init_research_state()

    # ----- queries -------------------------------------------------------------
    @workflow.query(name="status")
    def status(self) -> ReportStatus:
        """Where the workflow is: step, draft, cost so far, review state, research."""
        if self._research_run is None:
            return self._status
        return replace(self._status, usage=self._budget.total(),
                       model=self._status.model or self._research_run.model)

    def _log(self, event: str) -> None:
        stamp = workflow.now().strftime(HISTORY_STAMP)
        self._status.history.append(f"{stamp} {event}")

    def _set_step(self, step: str) -> None:
        self._status.step = step
        self._log(f"step: {step}")

    async def _step(self, step: Step, arg: Any, result_type: type[R]) -> R:
        """Run one activity; reschedule it (boundedly) when workers died under it."""
        return await run_step(step, arg, result_type, self._log)

    async def _llm(self, params: LlmCallInput) -> LlmCallOutput:
        out = await self._step(LLM_STEP, params, LlmCallOutput)
        self._status.usage = self._status.usage.add(out.usage)
        self._status.model = out.model
        return out

    def _spent_by_research(self, params: ReportInput) -> bool:
        """Research found nothing to cite and left no budget for a fallback answer."""
        return (params.depth != Depth.QUICK and not self._budget.llm_allowed()
                and workflow.patched(BUDGET_FALLBACK_PATCH))

    # ----- run ----------------------------------------------------------------
    @workflow.run
    async def run(self, params: ReportInput) -> ReportResult:
        """Research, optionally wait for review, then write and mail the report."""
        check_own_id()
        self._question = params.prompt.strip() or DEFAULT_PROMPT
        self._requested_model = params.model
        self._language = params.language
        self._budget.caps = params.budget
        self._review_timeout_s = params.review_timeout_s
        self._review_timeout_action = params.review_timeout_action
        content = ReportContent()
        if params.depth != Depth.QUICK and workflow.patched(RESEARCH_PATCH):
            researched = await self._research(params)
            if researched is None:
                return await self._rejected("The research plan was rejected; no report "
                                            "was written.")
            content = researched
        if not content.body_key and self._spent_by_research(params):
            self._note = (f"The budget ({self._budget.describe()}) was used up before any "
                          "source was read, so no answer was written: run the report again "
                          "with a larger budget.")
            self._add_draft("No answer was written: the budget was used up before any "
                            "source was read.", "budget reached")
        elif not content.body_key:
            self._set_step(ReportStep.RESEARCHING)
            research = await self._llm(LlmCallInput(
                prompt=self._question,
                system=prompts.in_language(prompts.RESEARCH_SYSTEM, params.language),
                model=params.model))
            self._add_draft(research.text, "research")
            if research.text_key:  # too large for the history: lay it out from the store
                content = replace(content, body_key=research.text_key)
        elif params.review:
            text = await self._step(READ_STEP, content.body_key, str)
            self._add_draft(text, "research, citations checked")

        if params.schedule_id and workflow.patched(CHANGES_PATCH):
            content = await self._with_changes(params.schedule_id, content)

        if params.review:
            decision = await self._await_review(params)
            if decision == ReviewAction.REJECT:
                return await self._rejected("The draft was rejected; no report was written.")

        self._set_step(ReportStep.WRITING)
        # What is laid out is what the result reports: a reviewer's edit adds a note that
        # the citation check describes the researched draft, to both.
        content = self._content(content)
        files = await self._step(
            PDF_STEP,
            CreatePdfInput(
                content=content,
                basename=report_basename(self._question, workflow.info().workflow_id),
                output_dir=params.output_dir,
                formats=params.formats,
                overwrite=params.overwrite,
            ),
            CreatePdfOutput,
        )

        self._set_step(ReportStep.EMAIL)
        try:
            email = await self._step(
                EMAIL_STEP,
                SendEmailInput(
                    to=params.email_to,
                    subject=f"Research report: {self._question[:120]}",
                    body=f"Your research report on:\n\n{self._question}\n\nis attached.",
                    attachment_key=files.keys[0] if files.pdf_path and files.keys else "",
                    # Only histories from before the store (their PDF step returned no
                    # keys) carry just the path; the worker attaches it only if this
                    # run's own PDF step recorded it.
                    attachment_path="" if files.keys else files.pdf_path,
                    # The run, not only the id: a re-used --id is a new report and a new mail.
                    message_key=self._message_key(),
                ),
                SendEmailOutput,
            )
        except ActivityError as exc:
            if is_cancelled_exception(exc):
                raise
            # The report exists on disk; a mail that cannot be sent must not lose it.
            reason = str(exc.cause or exc)
            email = SendEmailOutput(skipped_reason=f"e-mail failed: {reason}")
            self._log(f"e-mail failed: {reason}")
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._set_step(ReportStep.COMPLETED)
        result = ReportResult(
            status=ReportStep.COMPLETED,
            pdf_path=files.pdf_path,
            paths=files.paths,
            keys=files.keys,
            store=files.store,
            model=self._status.model,
            usage=self._status.usage,
            email=email,
            # The e-mail outcome has its own field; the note says what else to know.
            note=self._note or email.skipped_reason,
            sources_used=self._progress.sources,
            references=content.references,
            verification=content.verification,
            research_notes=content.research_notes,
            subquestions=self._subquestions,
        )
        self._status.result = result
        return result

    async def _rejected(self, note: str) -> ReportResult:
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._set_step(ReportStep.REJECTED)
        result = ReportResult(status=ReportStep.REJECTED, model=self._status.model,
                              usage=self._status.usage, note=note,
                              subquestions=self._subquestions)
        self._status.result = result
        return result

    async def _with_changes(self, schedule_id: str, content: ReportContent) -> ReportContent:
        """The body with "What changed since the last run" in front (by key: the texts
        stay in the store)."""
        out = await self._step(CHANGES_STEP, ChangesInput(
            schedule_id=schedule_id, body_key=content.body_key,
            body_markdown="" if content.body_key else self._status.draft,
            references=content.references), ChangesOutput)
        since = f" since {out.previous_id}" if out.previous_id else ""
        self._log(f"changes{since}: {out.summary}")
        return replace(content, body_key=out.body_key)

    def _message_key(self) -> str:
        """Per run: a re-used --id is a new report and a new mail (one key per workflow id
        before the patch "mail-key-per-run")."""
        info = workflow.info()
        # The patch is asked for only in replay, where a history recorded with it holds
        # its marker (which must be matched) and one recorded before it does not. A
        # report running live takes the per-run key without recording the marker: the
        # marker cost every report a search-attribute upsert on the server, and the key
        # is only an activity input, which replay does not compare, so replaying a new
        # history (no marker: old key computed) still schedules the same command.
        if workflow.unsafe.is_replaying() and not workflow.patched("mail-key-per-run"):
            return f"{info.workflow_id}/report"
        return report_message_key(info.workflow_id, info.run_id)

    def _content(self, research: ReportContent) -> ReportContent:
        """The report to lay out: the checked draft by key unless a reviewer changed it."""
        changed = len(self._versions) > 1
        notes = list(research.research_notes)
        if changed and research.body_key:
            notes.append("The text was changed in review after the citation check; the "
                         "check describes the researched draft.")
        return ReportContent(
            question=self._question,
            body_markdown=self._status.draft if changed or not research.body_key else "",
            body_key="" if changed else research.body_key,
            model=self._status.model,
            date=workflow.now().date().isoformat(),
            usage=self._status.usage,
            references=research.references,
            verification=research.verification,
            research_notes=notes,
        )

    async def _research(self, params: ReportInput) -> ReportContent | None:
        """Plan, research and write from sources; an empty body means "no sources",
        None a rejected plan."""
        self._set_step(ReportStep.STARTING)
        avail = await self._step(SOURCES_STEP, SourcesInput(
            collection=params.collection, ddgs_reach=params.ddgs_reach,
            model=params.model), SourcesAvailable)
        # The worker names its provider whatever the report asked; a --no-web report never
        # searches it, so it is no source of this report.
        web = avail.web_provider if params.web else ""
        used = [n for n in (web,
                            f"{avail.local_documents} local document"
                            f"{'' if avail.local_documents == 1 else 's'}"
                            if avail.local_documents else "") if n]
        if not used:
            self._note = avail.note
            return ReportContent()
        self._progress.depth = params.depth
        self._progress.sources = " + ".join(used)
        self._progress.budget = params.budget
        self._status.research = self._progress
        self._log(f"sources: {self._progress.sources}")
        agent = choose(params.agent, params.depth, params.max_steps, avail.tool_calling,
                       avail.tool_calling_note)
        if agent.why:
            self._log(agent.why)
        # The sub-questions search the web only where the worker can: the agent is then
        # not offered search_web (it called it and read "this worker has no web search").
        # Child inputs are not compared in replay: old histories replay as they ran.
        run = Research(replace(params, web=bool(web)), self._question, self._progress,
                       self._budget, self._log, self._set_step, agent)
        if params.review_plan:
            run.review_plan = self._await_plan_review  # type: ignore[method-assign]  # the report's Update handler waits
        if params.clarify:
            run.ask_user = self._await_answers  # type: ignore[method-assign]  # the report's Update handler waits
        self._research_run = run
        done = await run.run()
        self._research_run = None
        self._subquestions = list(self._progress.plan)
        if done.rejected:
            return None
        self._status.usage = self._budget.total()
        if done.empty:
            self._note = (f"Research found nothing to cite ({done.reason}); the report is "
                          "a single answer without citations.")
            self._status.research = self._progress
            return ReportContent(research_notes=done.notes)
        self._status.model = run.model or params.model
        return ReportContent(body_key=done.body_key, references=done.references,
                             verification=done.verification, research_notes=done.notes)
