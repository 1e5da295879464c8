"""The human review of a report's draft: the ``review`` Update and the wait for it.

A base class of ``GenerateReportWorkflow`` (the SDK collects handlers from bases), like
``ResearchHandlers``. Deterministic like all workflow code.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.llm import LlmCallInput, LlmCallOutput
    from durable_research.contract.report import ReportInput, ReportStatus, ReportStep
    from durable_research.contract.review import (
        REVIEW_ACTIONS,
        UPDATE_REVIEW,
        ReviewAction,
        ReviewInput,
        ReviewOutcome,
        past_tense,
        review_too_large,
    )
    from durable_research.errors import FailureType
    from durable_research.llm import prompts


class DraftReview:
    """Drafts, and a reviewer's approve / edit / revise / reject; the workflow supplies
    the status, the log and the LLM step."""

    _status: ReportStatus
    _versions: list[str]
    _decision: str
    _question: str
    _requested_model: str
    _language: str

    def _log(self, event: str) -> None:
        raise NotImplementedError

    def _set_step(self, step: str) -> None:
        raise NotImplementedError

    async def _llm(self, params: LlmCallInput) -> LlmCallOutput:
        raise NotImplementedError

    def _add_draft(self, text: str, why: str) -> None:
        self._versions.append(text)
        self._status.draft = text
        self._status.versions = len(self._versions)
        self._log(f"draft v{len(self._versions)} ({why})")

    async def _await_review(self, params: ReportInput) -> str:
        self._set_step(ReportStep.REVIEW)
        self._status.waiting_for_review_since = workflow.now().isoformat()
        timeout = timedelta(seconds=params.review_timeout_s) if params.review_timeout_s else None
        try:
            await workflow.wait_condition(lambda: bool(self._decision), timeout=timeout)
        except TimeoutError:
            # A durable timer: survives restarts; the decision is recorded for the record.
            action = (ReviewAction.REJECT if params.review_timeout_action == ReviewAction.REJECT
                      else ReviewAction.APPROVE)
            self._decision = action
            self._log(f"review deadline passed: auto-{past_tense(action)}")
        self._status.waiting_for_review_since = ""
        return self._decision

    @workflow.update(name=UPDATE_REVIEW)
    async def review(self, params: ReviewInput) -> ReviewOutcome:
        """Apply a reviewer's action and answer with the resulting draft."""
        action = params.action
        who = f" by {params.reviewer}" if params.reviewer else ""
        if action in (ReviewAction.APPROVE, ReviewAction.REJECT):
            self._decision = action
            self._log(f"review: {past_tense(action)}{who}")
            message = ("Approved; writing the report." if action == ReviewAction.APPROVE
                       else "Rejected.")
        elif action == ReviewAction.EDIT:
            self._add_draft(params.text, f"edited{who}")
            message = "Your text is now the draft; approve it to write the report."
        else:
            self._status.step = ReportStep.REVISING
            try:
                revised = await self._llm(
                    LlmCallInput(
                        prompt=prompts.revise_prompt(
                            self._question, self._status.draft, params.feedback
                        ),
                        system=prompts.in_language(prompts.REVISE_SYSTEM,
                                                   self._language),
                        model=self._requested_model,
                    )
                )
            finally:
                self._status.step = ReportStep.REVIEW
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
        if self._status.step != ReportStep.REVIEW or self._decision:
            raise ApplicationError(
                f"This report is not waiting for review (step: {self._status.step})",
                type=FailureType.WRONG_STATE,
            )
        too_large = review_too_large(params)
        if too_large:  # a client that did not check (the CLI and the web do)
            raise ApplicationError(too_large)
        if params.action == ReviewAction.EDIT and not params.text.strip():
            raise ApplicationError("An edit needs the replacement text; it was empty")
        if params.action == ReviewAction.REVISE and not params.feedback.strip():
            raise ApplicationError("A revision needs feedback; it was empty")
