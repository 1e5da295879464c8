"""The research handlers of the report workflow: progress signals, budget, plan review,
clarifying questions.

A base class of ``GenerateReportWorkflow`` (the SDK collects handlers from bases), so
the workflow module stays about the report's steps. Deterministic like all workflow code.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from durable_research.workflows.budget import BudgetTracker
from durable_research.workflows.research import Research
from durable_research.workflows.subquestion import PROGRESS_SIGNAL

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.report import ReportStatus, ReportStep
    from durable_research.contract.research import ResearchProgress, SubProgress
    from durable_research.contract.review import (
        DOMAIN_NAME,
        PLAN_REVIEW_ACTIONS,
        UPDATE_ANSWER_QUESTIONS,
        UPDATE_RAISE_BUDGET,
        UPDATE_REVIEW_PLAN,
        AnswersInput,
        BudgetOutcome,
        PlanReviewAction,
        PlanReviewInput,
        RaiseBudgetInput,
        answers_problem,
        past_tense,
    )
    from durable_research.errors import FailureType
    from durable_research.research.plan import validate_subquestions



class ResearchHandlers:
    """Signals and Updates of a research report; the workflow supplies the rest."""

    _status: ReportStatus
    _review_timeout_s: float
    _review_timeout_action: str

    def _init_research_state(self) -> None:
        self._budget = BudgetTracker()
        self._progress = ResearchProgress()
        self._research_run: Research | None = None
        self._plan: list[str] = []
        self._plan_decision: PlanReviewInput | None = None
        self._answers: AnswersInput | None = None

    def _log(self, event: str) -> None:
        raise NotImplementedError

    def _set_step(self, step: str) -> None:
        raise NotImplementedError

    # ----- research: progress, budget, plan review ----------------------------
    @workflow.signal(name=PROGRESS_SIGNAL)
    def sub_progress(self, update: SubProgress) -> None:
        """A sub-question's child workflow reports its progress."""
        if self._research_run is not None:
            self._research_run.on_progress(update)

    @workflow.update(name=UPDATE_RAISE_BUDGET)
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
            raise ApplicationError("This report has finished", type=FailureType.WRONG_STATE)

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
            self._log("plan review deadline passed: auto-"
                      f"{past_tense(self._review_timeout_action)}")
        self._status.waiting_for_plan_review_since = ""
        decision = self._plan_decision
        assert decision is not None
        if decision.action == PlanReviewAction.REJECT:
            return []  # the caller ends the report as rejected
        return self._plan

    @workflow.update(name=UPDATE_REVIEW_PLAN)
    def review_plan(self, params: PlanReviewInput) -> list[str]:
        """Approve, edit (replace the sub-questions) or reject the research plan."""
        who = f" by {params.reviewer}" if params.reviewer else ""
        if params.action == PlanReviewAction.EDIT:
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
                f"This report is not waiting for plan review (step: {self._status.step})",
                type=FailureType.WRONG_STATE)
        if params.action == PlanReviewAction.EDIT:
            try:
                validate_subquestions(params.subquestions)
            except ValueError as exc:
                raise ApplicationError(f"Invalid sub-questions: {exc}") from None
        for domain in params.allow_domains + params.deny_domains:
            if not DOMAIN_NAME.fullmatch(domain):
                raise ApplicationError(f"Not a domain name: {domain[:100]!r}")

    # ----- clarifying questions (--clarify) --------------------------------------------
    async def _await_answers(self, questions: list[str]) -> list[str]:
        """Show the questions and wait for the answers; past the review deadline, plan
        without them (asking is a courtesy: the deadline's reject does not apply)."""
        self._status.questions = list(questions)
        self._set_step(ReportStep.CLARIFY)
        self._status.waiting_for_answers_since = workflow.now().isoformat()
        timeout = timedelta(seconds=self._review_timeout_s) if self._review_timeout_s else None
        try:
            await workflow.wait_condition(lambda: self._answers is not None, timeout=timeout)
        except TimeoutError:
            self._answers = AnswersInput()
            self._log("clarifying questions: deadline passed, planning without answers")
        self._status.waiting_for_answers_since = ""
        return list(self._answers.answers) if self._answers else []

    @workflow.update(name=UPDATE_ANSWER_QUESTIONS)
    def answer_questions(self, params: AnswersInput) -> list[str]:
        """Answer the clarifying questions (none: plan without answers); returns them."""
        self._answers = params
        who = f" by {params.reviewer}" if params.reviewer else ""
        given = sum(1 for a in params.answers if a.strip())
        self._log(f"clarifying questions answered{who}: {given} of {len(self._status.questions)}")
        return self._status.questions

    @answer_questions.validator
    def validate_answer_questions(self, params: AnswersInput) -> None:
        """Refuse answers to a report that is not asking, and too many or too long ones."""
        if self._status.step != ReportStep.CLARIFY or self._answers is not None:
            raise ApplicationError(
                f"This report is not waiting for answers (step: {self._status.step})",
                type=FailureType.WRONG_STATE)
        problem = answers_problem(params.answers, len(self._status.questions))
        if problem:
            # The count is the detail: the client's hint says how many answers to give.
            raise ApplicationError(f"Invalid answers: {problem}", len(self._status.questions))
