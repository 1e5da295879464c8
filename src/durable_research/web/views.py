"""What the pages show of a report, derived from a status snapshot (pure, no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.client import RUNNING, ReportState
from durable_research.client.files import report_file_keys
from durable_research.client.mail import MAIL_ELSEWHERE_NOTE
from durable_research.client.options import Spelling
from durable_research.client.prepare import SINGLE_ANSWER_NOTE, prefer_domain_note
from durable_research.client.present import (
    format_research_summary,
    format_usage,
    report_plan,
)
from durable_research.client.research import cited_summary
from durable_research.contract.report import KNOWN_FORMATS, ReportStep
from durable_research.contract.review import (
    PLAN_REVIEW_ACTIONS,
    REVIEW_ACTIONS,
    PlanReviewAction,
    ReviewAction,
)

# Button labels of the review panels, by action.
REVIEW_LABELS: dict[str, str] = {
    ReviewAction.APPROVE: "Approve",
    ReviewAction.EDIT: "Save my edit",
    ReviewAction.REVISE: "Revise with feedback",
    ReviewAction.REJECT: "Reject",
}
PLAN_LABELS: dict[str, str] = {
    PlanReviewAction.APPROVE: "Approve plan",
    PlanReviewAction.EDIT: "Use my edited plan",
    PlanReviewAction.REJECT: "Reject plan",
}
assert set(REVIEW_LABELS) == set(REVIEW_ACTIONS) and set(PLAN_LABELS) == set(PLAN_REVIEW_ACTIONS)
# What the report page says after a review (``?done=review-approve``): fixed texts, so a
# link cannot make the page say anything else.
# The notices of a report started with an e-mail, preferred web sites or research-only
# options that depend on a worker elsewhere (``started_notice``: one or both, joined by ",").
MAIL_ELSEWHERE = "started-mail-elsewhere"
PREFER_ELSEWHERE = "started-prefer-elsewhere"
SINGLE_ELSEWHERE = "started-single-elsewhere"
NOTICES: dict[str, str] = {
    f"review-{ReviewAction.APPROVE}": "Approved: the report is being written.",
    f"review-{ReviewAction.EDIT}": "Your text is now the draft; approve it to write the report.",
    f"review-{ReviewAction.REVISE}": "The revised draft is ready.",
    f"review-{ReviewAction.REJECT}": "Rejected: no report will be written.",
    f"plan-{PlanReviewAction.APPROVE}": "Plan approved: the research goes on.",
    f"plan-{PlanReviewAction.EDIT}": "Your plan is in force: the research goes on.",
    f"plan-{PlanReviewAction.REJECT}": "Plan rejected: no report will be written.",
    "answers-sent": "Thank you: the research plan is made next.",
    "cancel-requested": "Cancelling: the report stops at its current step; nothing more is "
                        "written or sent.",
    MAIL_ELSEWHERE: f"Started. {MAIL_ELSEWHERE_NOTE}.",
    PREFER_ELSEWHERE: f"Started. {prefer_domain_note(Spelling.FORM)}.",
    SINGLE_ELSEWHERE: f"Started. {SINGLE_ANSWER_NOTE[0].upper()}{SINGLE_ANSWER_NOTE[1:]}.",
}
# prepare_report's notes (the page's spelling) as their notices' keys.
_NOTE_NOTICES = {MAIL_ELSEWHERE_NOTE: MAIL_ELSEWHERE,
                 prefer_domain_note(Spelling.FORM): PREFER_ELSEWHERE,
                 SINGLE_ANSWER_NOTE: SINGLE_ELSEWHERE}


def started_query(notes: list[str]) -> str:
    """The ``?done=`` of the page of a report just started with these notes ("": none)."""
    keys = [_NOTE_NOTICES[n] for n in notes if n in _NOTE_NOTICES]
    return f"?done={','.join(keys)}" if keys else ""


def started_notice(done: str) -> str:
    """The notice for ``?done=``: fixed texts only, so a link cannot make the page say
    anything else; several started notes are said after one "Started."."""
    said = [NOTICES[k] for k in dict.fromkeys(done.split(",")) if k in NOTICES]
    if len(said) < 2:
        return said[0] if said else ""
    return "Started. " + " ".join(s.removeprefix("Started. ") for s in said)


# The formats the page can show inline (through the escaping HTML renderer).
_PDF, MD_FORMAT, HTML_FORMAT, _DOCX = KNOWN_FORMATS


class AnswerAction(StrEnum):
    """The buttons of the clarifying-questions form."""

    SEND = "answer"
    NONE = "none"


class Stage(StrEnum):
    """Which panel the report page shows below the progress."""

    RUNNING = "running"
    CLARIFY = "clarify"
    PLAN_REVIEW = "plan-review"
    REVIEW = "review"
    CLOSED = "closed"


def stage(state: ReportState) -> Stage:
    """The report's stage: working, waiting for a person, or ended."""
    if state.status != RUNNING:
        return Stage.CLOSED
    step = state.query.step if state.query else ""
    if step == ReportStep.CLARIFY:
        return Stage.CLARIFY
    if step == ReportStep.PLAN_REVIEW:
        return Stage.PLAN_REVIEW
    if step == ReportStep.REVIEW:
        return Stage.REVIEW
    return Stage.RUNNING


def actions_key(state: ReportState) -> str:
    """Changes exactly when the action panel must be redrawn (not on every progress tick,
    so a reviewer's half-typed text is never replaced)."""
    q = state.query
    plan = q.research.plan if q and q.research else []
    raw = repr((stage(state), state.status, q.versions if q else 0, plan))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class ReportView:
    """Everything the report templates need, precomputed."""

    state: ReportState
    stage: Stage
    actions_key: str
    step: str = ""
    costs: str = ""
    research: str = ""
    history: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    viewable: bool = False
    draft: str = ""
    version: int = 0
    plan: list[str] = field(default_factory=list)
    # The clarifying questions waiting for answers.
    questions: list[str] = field(default_factory=list)
    # "5 cited (2 preferred)": the result's references.
    cited: str = ""


def report_view(state: ReportState) -> ReportView:
    """The template model of one snapshot."""
    q = state.query
    view = ReportView(state=state, stage=stage(state), actions_key=actions_key(state),
                      plan=report_plan(state))
    if q is not None:
        view.step = q.step
        view.costs = format_usage(q.usage, q.model)
        view.history = [line.partition(" ")[2] or line for line in q.history]
        view.draft, view.version = q.draft, q.versions
        view.questions = list(q.questions)
        if q.research is not None:
            view.research = format_research_summary(q.research)
    result = state.result
    if result is not None:
        view.step = view.step or result.status
        view.costs = format_usage(result.usage, result.model)
        view.formats = list(report_file_keys(state.workflow_id, result))
        view.viewable = HTML_FORMAT in view.formats or MD_FORMAT in view.formats
        view.cited = cited_summary(result.references)
    return view
