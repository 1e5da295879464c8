"""``GenerateReportWorkflow``: research -> (optional human review) -> PDF -> e-mail.

Deterministic orchestration only: every side effect is an activity, referenced
by name so this module imports no I/O libraries into the workflow sandbox.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    is_cancelled_exception,
)

from durable_research.workflows.budget import BudgetTracker
from durable_research.workflows.research import Research
from durable_research.workflows.steps import (
    EMAIL_STEP,
    LLM_STEP,
    PDF_STEP,
    READ_STEP,
    SOURCES_STEP,
    Step,
    run_step,
)
from durable_research.workflows.subquestion import PROGRESS_SIGNAL

with workflow.unsafe.imports_passed_through():
    from durable_research import prompts
    from durable_research.research.plan import validate_subquestions
    from durable_research.research.types import SourcesAvailable, SourcesInput, SubProgress
    from durable_research.shared import (
        DEFAULT_PROMPT,
        PLAN_REVIEW_ACTIONS,
        REVIEW_ACTIONS,
        WORKFLOW_ID_PREFIX,
        BudgetOutcome,
        CreatePdfInput,
        CreatePdfOutput,
        Depth,
        LlmCallInput,
        LlmCallOutput,
        PlanReviewInput,
        RaiseBudgetInput,
        ReportContent,
        ReportInput,
        ReportResult,
        ReportStatus,
        ReportStep,
        ResearchProgress,
        ReviewInput,
        ReviewOutcome,
        SendEmailInput,
        SendEmailOutput,
        report_message_key,
    )


def report_basename(prompt: str, workflow_id: str) -> str:
    """File name stem for a report: a slug of the question plus the workflow id's tail."""
    words = re.findall(r"[^\W_]+", prompt.lower())[:6]
    slug = "-".join(words)[:48].strip("-") or "report"
    tail = re.sub(r"[^A-Za-z0-9]+", "-", workflow_id.removeprefix(WORKFLOW_ID_PREFIX))
    tail = tail[-12:].strip("-")
    return f"{slug}-{tail}" if tail else slug


R = TypeVar("R")
RESEARCH_PATCH = "research-v1"
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.I)


@workflow.defn(name="GenerateReportWorkflow")
class GenerateReportWorkflow:
    """Turns a research question into a report, durably, with optional review."""

    def __init__(self) -> None:
        """Initialise the query-visible state."""
        self._status = ReportStatus()
        self._versions: list[str] = []
        self._decision: str = ""
        self._question = DEFAULT_PROMPT
        self._requested_model = ""
        self._note = ""
        self._budget = BudgetTracker()
        self._progress = ResearchProgress()
        self._research_run: Research | None = None
        self._plan: list[str] = []
        self._subquestions: list[str] = []
        self._plan_decision: PlanReviewInput | None = None

    # ----- queries -------------------------------------------------------------
    @workflow.query(name="status")
    def status(self) -> ReportStatus:
        """Where the workflow is: step, draft, cost so far, review state, research."""
        if self._research_run is None:
            return self._status
        return replace(self._status, usage=self._budget.total())

    # ----- research: progress, budget, plan review ----------------------------
    @workflow.signal(name=PROGRESS_SIGNAL)
    def sub_progress(self, update: SubProgress) -> None:
        """A sub-question's child workflow reports its progress."""
        if self._research_run is not None:
            self._research_run.on_progress(update)

    @workflow.update(name="raise_budget")
    async def raise_budget(self, params: RaiseBudgetInput) -> BudgetOutcome:
        """Raise the caps; running sub-questions get their share of the increase."""
        caps = self._budget.raise_caps(params)
        self._progress.budget = caps
        self._log(f"budget raised: {self._budget.describe()}")
        if self._research_run is not None:
            await self._research_run.share_raise()
        total = self._budget.total()
        return BudgetOutcome(budget=caps, spent_usd=total.cost_usd or 0.0,
                             spent_tokens=total.total_tokens, pages=self._budget.pages(),
                             message=f"Budget now: {self._budget.describe()}")

    @raise_budget.validator
    def validate_raise_budget(self, params: RaiseBudgetInput) -> None:
        """Refuse negative or lowered caps and finished reports."""
        caps = self._budget.caps
        pairs = [(params.max_usd, caps.max_usd, "max_usd"),
                 (params.max_tokens, caps.max_tokens, "max_tokens"),
                 (params.max_pages, caps.max_pages, "max_pages")]
        for new, old, name in pairs:
            if new < 0 or (new and old and new < old):
                raise ApplicationError(f"{name} can only be raised (now {old:g}, asked {new:g})")
        if not any(p[0] for p in pairs):
            raise ApplicationError("Give at least one new cap to raise")
        if self._status.result is not None:
            raise ApplicationError("This report has finished")

    async def _await_plan_review(self, subquestions: list[str]) -> list[str]:
        self._plan = list(subquestions)
        self._progress.plan = list(subquestions)
        self._set_step(ReportStep.PLAN_REVIEW)
        self._status.waiting_for_plan_review_since = workflow.now().isoformat()
        timeout = timedelta(seconds=self._review_timeout_s) if self._review_timeout_s else None
        try:
            await workflow.wait_condition(lambda: self._plan_decision is not None,
                                          timeout=timeout)
        except TimeoutError:
            self._plan_decision = PlanReviewInput(action=self._review_timeout_action)
            self._log(f"plan review deadline passed: auto-{self._review_timeout_action}d")
        self._status.waiting_for_plan_review_since = ""
        decision = self._plan_decision
        assert decision is not None
        if decision.action == "reject":
            return []  # the caller ends the report as rejected
        return self._plan

    @workflow.update(name="review_plan")
    def review_plan(self, params: PlanReviewInput) -> list[str]:
        """Approve, edit (replace the sub-questions) or reject the research plan."""
        who = f" by {params.reviewer}" if params.reviewer else ""
        if params.action == "edit":
            self._plan = validate_subquestions(params.subquestions)
        params_domains = (params.allow_domains, params.deny_domains)
        if self._research_run is not None and any(params_domains):
            self._research_run.params.allow_domains += params.allow_domains
            self._research_run.params.deny_domains += params.deny_domains
        self._plan_decision = params
        self._log(f"plan review: {params.action}{who} ({len(self._plan)} sub-questions)")
        return self._plan

    @review_plan.validator
    def validate_review_plan(self, params: PlanReviewInput) -> None:
        """Reject malformed plan reviews before they enter the history."""
        if params.action not in PLAN_REVIEW_ACTIONS:
            raise ApplicationError(f"Unknown plan review action {params.action!r}; use one of "
                                   f"{', '.join(PLAN_REVIEW_ACTIONS)}")
        if self._status.step != ReportStep.PLAN_REVIEW or self._plan_decision is not None:
            raise ApplicationError(
                f"This report is not waiting for plan review (step: {self._status.step})")
        if params.action == "edit":
            try:
                validate_subquestions(params.subquestions)
            except ValueError as exc:
                raise ApplicationError(f"Invalid sub-questions: {exc}") from None
        for domain in params.allow_domains + params.deny_domains:
            if not DOMAIN.fullmatch(domain):
                raise ApplicationError(f"Not a domain name: {domain[:100]!r}")

    def _log(self, event: str) -> None:
        stamp = workflow.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        self._status.history.append(f"{stamp} {event}")

    def _set_step(self, step: str) -> None:
        self._status.step = step
        self._log(f"step: {step}")

    def _add_draft(self, text: str, why: str) -> None:
        self._versions.append(text)
        self._status.draft = text
        self._status.versions = len(self._versions)
        self._log(f"draft v{len(self._versions)} ({why})")

    async def _step(self, step: Step, arg: Any, result_type: type[R]) -> R:
        """Run one activity; reschedule it (boundedly) when workers died under it."""
        return await run_step(step, arg, result_type, self._log)

    async def _llm(self, params: LlmCallInput) -> LlmCallOutput:
        out = await self._step(LLM_STEP, params, LlmCallOutput)
        self._status.usage = self._status.usage.add(out.usage)
        self._status.model = out.model
        return out

    # ----- run ----------------------------------------------------------------
    @workflow.run
    async def run(self, params: ReportInput) -> ReportResult:
        """Research, optionally wait for review, then write and mail the report."""
        self._question = params.prompt.strip() or DEFAULT_PROMPT
        self._requested_model = params.model
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
        if not content.body_key:
            self._set_step(ReportStep.RESEARCHING)
            research = await self._llm(LlmCallInput(
                prompt=self._question, system=prompts.RESEARCH_SYSTEM, model=params.model))
            self._add_draft(research.text, "research")
            if research.text_key:  # too large for the history: lay it out from the store
                content = replace(content, body_key=research.text_key)
        elif params.review:
            text = await self._step(READ_STEP, content.body_key, str)
            self._add_draft(text, "research, citations checked")

        if params.review:
            decision = await self._await_review(params)
            if decision == "reject":
                return await self._rejected("The draft was rejected; no report was written.")

        self._set_step("writing report")
        files = await self._step(
            PDF_STEP,
            CreatePdfInput(
                content=self._content(content),
                basename=report_basename(self._question, workflow.info().workflow_id),
                output_dir=params.output_dir,
                formats=params.formats,
                overwrite=params.overwrite,
            ),
            CreatePdfOutput,
        )

        self._set_step("sending e-mail")
        try:
            email = await self._step(
                EMAIL_STEP,
                SendEmailInput(
                    to=params.email_to,
                    subject=f"Research report: {self._question[:120]}",
                    body=f"Your research report on:\n\n{self._question}\n\nis attached.",
                    attachment_key=files.keys[0] if files.pdf_path and files.keys else "",
                    # Histories from before the store carry only the path.
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
        self._set_step("completed")
        result = ReportResult(
            status="completed",
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
        result = ReportResult(status="rejected", model=self._status.model,
                              usage=self._status.usage, note=note,
                              subquestions=self._subquestions)
        self._status.result = result
        return result

    def _message_key(self) -> str:
        info = workflow.info()
        if workflow.patched("mail-key-per-run"):
            return report_message_key(info.workflow_id, info.run_id)
        return f"{info.workflow_id}/report"

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
        avail = await self._step(SOURCES_STEP, SourcesInput(collection=params.collection),
                                 SourcesAvailable)
        used = [n for n in (avail.web_provider,
                            f"{avail.local_documents} local documents"
                            if avail.local_documents else "") if n]
        if not used:
            self._note = avail.note
            return ReportContent()
        self._progress.depth = params.depth
        self._progress.sources = " + ".join(used)
        self._progress.budget = params.budget
        self._status.research = self._progress
        self._log(f"sources: {self._progress.sources}")
        run = Research(params, self._question, self._progress, self._budget, self._log,
                       self._set_step)
        if params.review_plan:
            run.review_plan = self._await_plan_review  # type: ignore[method-assign]
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

    # ----- human review -------------------------------------------------------
    async def _await_review(self, params: ReportInput) -> str:
        self._set_step("waiting for review")
        self._status.waiting_for_review_since = workflow.now().isoformat()
        timeout = timedelta(seconds=params.review_timeout_s) if params.review_timeout_s else None
        try:
            await workflow.wait_condition(lambda: bool(self._decision), timeout=timeout)
        except TimeoutError:
            # A durable timer: survives restarts; the decision is recorded for the record.
            action = "reject" if params.review_timeout_action == "reject" else "approve"
            self._decision = action
            self._log(f"review deadline passed: auto-{action}d")
        self._status.waiting_for_review_since = ""
        return self._decision

    @workflow.update(name="review")
    async def review(self, params: ReviewInput) -> ReviewOutcome:
        """Apply a reviewer's action and answer with the resulting draft."""
        action = params.action
        who = f" by {params.reviewer}" if params.reviewer else ""
        if action in ("approve", "reject"):
            self._decision = action
            self._log(f"review: {action}d{who}")
            message = "Approved; writing the report." if action == "approve" else "Rejected."
        elif action == "edit":
            self._add_draft(params.text, f"edited{who}")
            message = "Your text is now the draft; approve it to write the report."
        else:
            self._status.step = "revising"
            try:
                revised = await self._llm(
                    LlmCallInput(
                        prompt=prompts.revise_prompt(
                            self._question, self._status.draft, params.feedback
                        ),
                        system=prompts.REVISE_SYSTEM,
                        model=self._requested_model,
                    )
                )
            finally:
                self._status.step = "waiting for review"
            self._add_draft(revised.text, f"revised{who}")
            message = "Revised draft ready; approve, edit, revise again or reject."
        return ReviewOutcome(
            action=action,
            step=self._status.step,
            draft=self._status.draft,
            version=len(self._versions),
            message=message,
        )

    @review.validator
    def validate_review(self, params: ReviewInput) -> None:
        """Reject malformed reviews before they enter the history."""
        if params.action not in REVIEW_ACTIONS:
            raise ApplicationError(
                f"Unknown review action {params.action!r}; use one of {', '.join(REVIEW_ACTIONS)}"
            )
        if self._status.step != "waiting for review" or self._decision:
            raise ApplicationError(
                f"This report is not waiting for review (step: {self._status.step})"
            )
        if params.action == "edit" and not params.text.strip():
            raise ApplicationError("An edit needs the replacement text; it was empty")
        if params.action == "revise" and not params.feedback.strip():
            raise ApplicationError("A revision needs feedback; it was empty")
