"""``GenerateReportWorkflow``: research -> (optional human review) -> PDF -> e-mail.

Deterministic orchestration only: every side effect is an activity, referenced
by name so this module imports no I/O libraries into the workflow sandbox.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    is_cancelled_exception,
)

from durable_research.workflows.steps import (
    CANCEL,
    EMAIL_STEP,
    LLM_STEP,
    PDF_STEP,
    WORKER_LOSS_ROUNDS,
    Step,
    lost_worker,
)

with workflow.unsafe.imports_passed_through():
    from durable_research import prompts
    from durable_research.shared import (
        DEFAULT_PROMPT,
        REVIEW_ACTIONS,
        WORKFLOW_ID_PREFIX,
        CreatePdfInput,
        CreatePdfOutput,
        LlmCallInput,
        LlmCallOutput,
        ReportContent,
        ReportInput,
        ReportResult,
        ReportStatus,
        ReviewInput,
        ReviewOutcome,
        SendEmailInput,
        SendEmailOutput,
    )


def report_basename(prompt: str, workflow_id: str) -> str:
    """File name stem for a report: a slug of the question plus the workflow id's tail."""
    words = re.findall(r"[^\W_]+", prompt.lower())[:6]
    slug = "-".join(words)[:48].strip("-") or "report"
    tail = re.sub(r"[^A-Za-z0-9]+", "-", workflow_id.removeprefix(WORKFLOW_ID_PREFIX))
    tail = tail[-12:].strip("-")
    return f"{slug}-{tail}" if tail else slug


R = TypeVar("R")


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

    # ----- queries -------------------------------------------------------------
    @workflow.query(name="status")
    def status(self) -> ReportStatus:
        """Where the workflow is: step, draft, cost so far, review state."""
        return self._status

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
        for round_ in range(WORKER_LOSS_ROUNDS + 1):
            try:
                result: R = await workflow.execute_activity(
                    step.activity,
                    arg,
                    result_type=result_type,
                    start_to_close_timeout=step.start_to_close,
                    heartbeat_timeout=step.heartbeat,
                    retry_policy=step.retry,
                    cancellation_type=CANCEL,
                )
                return result
            except ActivityError as exc:
                if not lost_worker(exc) or round_ == WORKER_LOSS_ROUNDS:
                    raise
                self._log(f"{step.activity}: its workers kept dying; scheduling it again")
        raise AssertionError("unreachable")  # the loop returns or raises

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
        self._set_step("researching")
        research = await self._llm(
            LlmCallInput(prompt=self._question, system=prompts.RESEARCH_SYSTEM, model=params.model)
        )
        self._add_draft(research.text, "research")

        if params.review:
            decision = await self._await_review(params)
            if decision == "reject":
                await workflow.wait_condition(workflow.all_handlers_finished)
                self._set_step("rejected")
                result = ReportResult(
                    status="rejected", model=self._status.model, usage=self._status.usage,
                    note="The draft was rejected; no report was written.",
                )
                self._status.result = result
                return result

        self._set_step("writing report")
        files = await self._step(
            PDF_STEP,
            CreatePdfInput(
                content=ReportContent(
                    question=self._question,
                    body_markdown=self._status.draft,
                    model=self._status.model,
                    date=workflow.now().date().isoformat(),
                    usage=self._status.usage,
                ),
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
                    attachment_path=files.pdf_path,
                    message_key=f"{workflow.info().workflow_id}/report",
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
            model=self._status.model,
            usage=self._status.usage,
            email=email,
            note=email.skipped_reason,
        )
        self._status.result = result
        return result

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
