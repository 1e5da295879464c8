"""The HTTP API's request and response bodies (pydantic: FastAPI derives the schema).

Requests only carry what a person chose; :func:`durable_research.client.prepare_report`
and the client's review helpers validate it exactly as for the page and the CLI. Names
that cross the boundary (formats, depths, actions, statuses, steps) are the enums of
``contract/``; nested values reuse the contract's dataclasses (usage, research progress,
review and budget answers, the result).
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from durable_research.client.files import report_file_keys
from durable_research.client.options import Spelling
from durable_research.client.prepare import ReportRequest
from durable_research.client.reports import ReportState, ReportSummary
from durable_research.client.requests import require_question
from durable_research.client.research import ResearchOptions
from durable_research.contract.llm import Usage
from durable_research.contract.report import (
    DEFAULT_FORMATS,
    ReportFormat,
    ReportResult,
    ReportStep,
    RunStatus,
)
from durable_research.contract.research import Depth, ResearchProgress
from durable_research.contract.review import PlanReviewAction, ReviewAction


def _bool_as_typed(value: object) -> object:
    """JSON ``true``/``false`` as the text it is, so the client's rule refuses it: pydantic
    took it as 1 or 0 (``"max_pages": true`` was a cap of one page)."""
    return json.dumps(value) if isinstance(value, bool) else value


# A cap as the body carries it, a number or text; the client checks it (client/numbers)
# with the CLI's rule and message, not pydantic's ("Input should be a valid number").
Cap = Annotated[float | str, BeforeValidator(_bool_as_typed)]


class Strict(BaseModel):
    """A request body: an unknown field is an error (a typo is never silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class ApiError(BaseModel):
    """Every refusal and error: what went wrong and how to fix it."""

    error: str
    hint: str = ""


class NewReport(Strict):
    """A report to start: the new-report form's choices (no uploads)."""

    question: str = Field(description="The research question (required, not blank).")
    depth: Depth = Depth.STANDARD
    web: bool = Field(default=True,
                      description="Search the web (with a search provider configured).")
    formats: list[ReportFormat] = Field(
        default_factory=lambda: [ReportFormat(f) for f in DEFAULT_FORMATS],
        description="The files to write; at least one.")
    email: str = Field(default="", description="Recipients of the finished report (the workers' "
                                       "EMAIL_ALLOWED applies); empty: EMAIL_TO.")
    review: bool = Field(default=False, description="Wait for a draft review before writing.")
    review_plan: bool = Field(default=False, description="Wait for a review of the research plan.")
    clarify: bool = Field(default=False, description="Let the model ask up to 3 clarifying "
                                                     "questions first (answer them with "
                                                     "POST .../answers).")
    prefer_domains: list[str] = Field(default_factory=list)
    allow_domains: list[str] = Field(default_factory=list)
    deny_domains: list[str] = Field(default_factory=list)
    budget_usd: Cap = Field(default=0.0, description="Cost cap in USD, e.g. 0.50 (0: none).")
    max_tokens: Cap = Field(default=0, description="Token cap, a whole number (0: none).")
    max_pages: Cap = Field(default=0, description="Cap on fetched pages, a whole number "
                                                  "(0: none).")
    language: str = Field(default="", description="The language of the plan, notes and "
                          "report: a code or name (de, pt-BR, German); empty: the question's.")

    def request(self) -> ReportRequest:
        """The request as ``prepare_report`` checks it (as the page's form would send it)."""
        return ReportRequest(
            require_question(self.question), self.review, ",".join(self.formats), email=self.email,
            research=ResearchOptions(
                depth=self.depth, web=self.web, review_plan=self.review_plan, clarify=self.clarify,
                prefer_domains=list(self.prefer_domains), allow_domains=list(self.allow_domains),
                deny_domains=list(self.deny_domains), budget_usd=self.budget_usd,
                max_tokens=self.max_tokens, max_pages=self.max_pages, language=self.language,
                spelling=Spelling.API))


class Started(BaseModel):
    """A report just started."""

    id: str
    status_url: str
    events_url: str
    web_search: str = Field(default="", description="Which web search the research uses, "
                                                    "or why none (empty: no web research).")
    notes: list[str] = Field(default_factory=list, description="What could not be checked "
                             "before the start, e.g. that the worker can send the e-mail.")


class ReportList(BaseModel):
    """Recent reports, newest first."""

    reports: list[ReportSummary]


class ReportInfo(BaseModel):
    """A report's state: the server's status, the workflow's step, its draft and plan
    while it waits for a review, and its files once it has finished."""

    id: str
    status: RunStatus
    step: ReportStep | None = Field(
        default=None, description="Where it is (null: no worker answered the status query).")
    question: str = ""
    draft: str = Field(default="", description="The draft waiting for review (step "
                                       "'waiting for review').")
    draft_version: int = 0
    plan: list[str] = Field(default_factory=list, description="The research plan "
                                                              "(sub-questions).")
    questions: list[str] = Field(default_factory=list, description="The clarifying "
                                 "questions waiting for answers (step 'waiting for answers').")
    history: list[str] = Field(default_factory=list)
    usage: Usage | None = None
    research: ResearchProgress | None = None
    pending: list[str] = Field(default_factory=list, description="Activities under way "
                                                                 "and their last failure.")
    failure: str = ""
    files: list[ReportFormat] = Field(default_factory=list,
                                      description="Formats the report can be downloaded in.")
    result: ReportResult | None = None

    @classmethod
    def of(cls, state: ReportState) -> ReportInfo:
        """The body of one status snapshot."""
        q, result = state.query, state.result
        info = cls(id=state.workflow_id, status=state.status, question=state.question,
                   pending=state.pending, failure=state.failure, result=result)
        if q is not None:
            info.step = ReportStep(q.step)
            info.draft, info.draft_version = q.draft, q.versions
            info.history, info.usage, info.research = q.history, q.usage, q.research
            info.plan = list(q.research.plan) if q.research else []
            info.questions = list(q.questions)
        if result is not None:
            info.step = info.step or ReportStep(result.status)
            info.usage = result.usage
            info.plan = info.plan or list(result.subquestions)
            info.files = [ReportFormat(f) for f in report_file_keys(state.workflow_id, result)]
        return info


class DraftReview(Strict):
    """A decision on the draft waiting for review."""

    action: ReviewAction
    text: str = Field(default="", description="With 'edit': the new draft (Markdown).")
    feedback: str = Field(default="", description="With 'revise': what should change.")


class PlanReview(Strict):
    """A decision on the research plan waiting for review."""

    action: PlanReviewAction
    subquestions: list[str] = Field(default_factory=list,
                                    description="With 'edit': the new plan.")
    allow_domains: list[str] = Field(default_factory=list)
    deny_domains: list[str] = Field(default_factory=list)


class Answers(Strict):
    """Answers to the clarifying questions, in order ("" skips one); none at all: plan
    without answers."""

    answers: list[str] = Field(default_factory=list)


class Asked(BaseModel):
    """The questions the answers were for."""

    questions: list[str]


class PlanInForce(BaseModel):
    """The plan the research follows after the review (empty when rejected)."""

    plan: list[str]


class BudgetRaise(Strict):
    """New caps for a running report (0 keeps a cap as it is; caps only go up)."""

    # As NewReport's caps: checked by the client (client.research.budget_raise_input).
    max_usd: Cap = 0.0
    max_tokens: Cap = 0
    max_pages: Cap = 0


class Accepted(BaseModel):
    """An action the report carries out on its own time (a cancellation)."""

    id: str
    message: str
