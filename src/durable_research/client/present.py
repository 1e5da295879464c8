"""What a front end shows of a report, as data and text (pure: no I/O, no markup).

The CLI and the web page print these; neither formats a cost, a usage or research
progress on its own. Texts come from the web and the LLM: each UI still escapes them
for its own medium (Rich markup, HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from durable_research.client.reports import RUNNING, ReportState
from durable_research.client.research import cited_summary
from durable_research.contract.citations import ClaimStatus
from durable_research.contract.llm import OFFLINE_MODELS, Usage
from durable_research.contract.report import ReportResult
from durable_research.contract.research import Budget, ResearchProgress, SubState
from durable_research.contract.review import PlanReviewAction
from durable_research.document.cost import format_cost as _document_cost

if TYPE_CHECKING:
    from durable_research.client.schedules import ScheduleSummary

# Live costs are small (one call: fractions of a cent): more places than in a document.
COST_PLACES = 6
# Sub-question states that are final.
FINISHED_SUBS = frozenset({SubState.DONE, SubState.FAILED, SubState.BUDGET})
# Row labels a front end styles (the PDF's path, the citation check, why a run failed).
PDF_ROW, STORED_ROW, CITATIONS_ROW, FAILURE_ROW, STEP_ROW = (
    "PDF", "stored", "citations", "failure", "step")
# The step of a running report no worker answers queries for.
UNKNOWN_STEP = "unknown (no worker is answering queries)"
# Research notes listed with a result (the report itself has them all), and their length.
NOTES_SHOWN, NOTE_CHARS = 8, 300


def format_cost(cost_usd: float | None, model: str = "") -> str:
    """``$0.001234``, or ``unknown`` when the model's price is not known (``$0.00 (offline
    model)`` for the embedded model's calls: ``model``)."""
    return _document_cost(cost_usd, places=COST_PLACES, model=model)


def format_tokens(usage: Usage) -> str:
    """``1200 in, 300 out``: the tokens of a usage (terminal tables)."""
    return f"{usage.prompt_tokens} in, {usage.completion_tokens} out"


def format_usage(usage: Usage, model: str = "") -> str:
    """Tokens and cost in a few words: ``1,200 tokens in, 300 out, $0.001234`` (``model``:
    the calls' model, see :func:`format_cost`)."""
    unknown = usage.cost_usd is None and model not in OFFLINE_MODELS
    cost = "cost unknown" if unknown else format_cost(usage.cost_usd, model)
    return f"{usage.prompt_tokens:,} tokens in, {usage.completion_tokens:,} out, {cost}"


def subs_done(p: ResearchProgress) -> int:
    """How many sub-questions have ended (done, failed or out of budget)."""
    return sum(1 for s in p.subs if s.state in FINISHED_SUBS)


def format_research_line(p: ResearchProgress) -> str:
    """One short line for a spinner: ``1/3 sub-questions done, 5 pages fetched, 1 failed``."""
    parts = [f"{subs_done(p)}/{len(p.subs)} sub-questions done"] if p.subs else []
    parts.append(f"{p.pages_fetched} pages fetched")
    if p.pages_failed:
        parts.append(f"{p.pages_failed} failed")
    return ", ".join(parts)


def format_research_summary(p: ResearchProgress) -> str:
    """Sub-questions done and pages fetched, kept and failed, in one sentence."""
    parts = [f"{subs_done(p)} of {len(p.subs)} sub-questions done"] if p.subs else []
    parts.append(f"{p.pages_fetched} pages fetched, {p.pages_failed} failed, "
                 f"{p.sources_kept} sources kept")
    return "; ".join(parts)


def format_budget(b: Budget) -> str:
    """The caps: ``$0.5, 10,000 tokens, 20 pages``, or ``no cap``."""
    caps = [f"${b.max_usd:g}" if b.max_usd else "",
            f"{b.max_tokens:,} tokens" if b.max_tokens else "",
            f"{b.max_pages} pages" if b.max_pages else ""]
    return ", ".join(c for c in caps if c) or "no cap"


def progress_rows(p: ResearchProgress) -> list[tuple[str, str]]:
    """Label/value rows describing research progress (unescaped)."""
    rows = [("sources", p.sources or "-"), ("depth", p.depth or "-")]
    for sub in p.subs:
        counts = f"{sub.searched} found, {sub.fetched} fetched, {sub.failed} failed"
        line = f"{sub.state}: {sub.subquestion} ({counts})"
        if sub.steps:  # the research agent: its turns and last step
            line += f" [{sub.steps} turns; last: {sub.step.partition(': ')[2]}]"
        if sub.error:
            line += f" - {sub.error}"
        rows.append((f"q{sub.index + 1}", line))
    if not p.subs and p.plan:
        rows += [(f"q{i + 1}", q) for i, q in enumerate(p.plan)]
    rows.append(("pages", f"{p.pages_fetched} fetched, {p.pages_failed} failed, "
                          f"{p.sources_kept} sources kept"))
    rows.append(("budget", format_budget(p.budget)))
    return rows


def answers_sent(answers: list[str]) -> str:
    """What sending clarifying answers did (blank answers skip their question)."""
    given = sum(1 for a in answers if a.strip())
    if not given:
        return ("No answers sent (each question skipped): the research plan follows the "
                "question as written.")
    return f"{given} answer{'' if given == 1 else 's'} sent; the research plan is made next."


def plan_review_done(action: str) -> str:
    """What a plan review did, in a few words (the plan in force follows it)."""
    done: dict[str, str] = {PlanReviewAction.APPROVE: "Plan approved:",
                            PlanReviewAction.EDIT: "Plan changed:",
                            PlanReviewAction.REJECT: "Plan rejected."}
    return done.get(action, action)


def plan_lines(plan: list[str], indent: str = "") -> list[str]:
    """A plan as numbered lines: ``1. first sub-question``."""
    return [f"{indent}{i}. {q}" for i, q in enumerate(plan, 1)]


def result_rows(result: ReportResult,
                marks: dict[ClaimStatus, str] | None = None) -> list[tuple[str, str]]:
    """Label/value rows of a finished report (unescaped; ``marks``: a terminal's styles
    for some claim statuses in the citations row, see ``Verification.summary``)."""
    u = result.usage
    rows = [("status", result.status)]
    if result.pdf_path:
        rows.append((PDF_ROW, result.pdf_path))
    rows += [("file", path) for path in result.paths if path != result.pdf_path]
    if result.store:
        rows.append((STORED_ROW, result.store))
    rows += [("model", result.model or "-"), ("tokens", format_tokens(u)),
             ("cost", format_cost(u.cost_usd, result.model))]
    if result.sources_used:
        rows.append(("sources", f"{result.sources_used}: {cited_summary(result.references)}"))
    if result.verification is not None:
        rows.append((CITATIONS_ROW, result.verification.summary(marks=marks)))
    rows += [("research", item[:NOTE_CHARS]) for item in result.research_notes[:NOTES_SHOWN]]
    if result.email.sent:
        rows.append(("e-mail", f"sent to {', '.join(result.email.recipients)}"))
    elif result.email.skipped_reason:
        rows.append(("e-mail", result.email.skipped_reason))
    if result.note and result.note != result.email.skipped_reason:
        rows.append(("note", result.note))
    return rows


def format_stamp(stamp: str) -> str:
    """A workflow's ISO time stamp (``2026-12-07T20:31:11.233302+00:00``) as ``2026-12-07
    20:31:11 UTC``; one it cannot read as it is."""
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo("UTC"))
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def status_rows(state: ReportState) -> list[tuple[str, str]]:
    """Label/value rows of a report without a result yet (or that failed): its step,
    costs so far, research progress, running activities, failure (unescaped)."""
    rows: list[tuple[str, str]] = [("status", state.status)]
    q = state.query
    if q:
        rows += [(STEP_ROW, q.step), ("model", q.model or "-"),
                 ("tokens so far", format_tokens(q.usage)),
                 ("cost so far", format_cost(q.usage.cost_usd, q.model))]
        for wait, since in (("review", q.waiting_for_review_since),
                            ("plan review", q.waiting_for_plan_review_since),
                            ("answers", q.waiting_for_answers_since)):
            if since:  # a report that ended waiting (cancelled) waits no more
                was = "" if state.status == RUNNING else "was "
                rows.append((f"{was}waiting for {wait} since", format_stamp(since)))
        if q.waiting_for_answers_since:
            rows += [(f"question {n}", question) for n, question in enumerate(q.questions, 1)]
        if q.versions:  # drafts written for review; none yet would read as "no draft"
            rows.append(("draft versions", str(q.versions)))
        if q.research is not None:
            rows += progress_rows(q.research)
    elif state.status == RUNNING:
        rows.append((STEP_ROW, UNKNOWN_STEP))
    rows += [("running", line) for line in state.pending]
    if state.failure:
        rows.append((FAILURE_ROW, state.failure))
    return rows


def report_plan(state: ReportState) -> list[str]:
    """The research plan in force: the running report's, else the finished one's."""
    q = state.query
    plan = list(q.research.plan) if q and q.research else []
    if not plan and state.result is not None:
        plan = list(state.result.subquestions)
    return plan


# The columns of a schedules list (`research schedule list`, the web page).
SCHEDULE_COLUMNS = ("schedule", "every", "time zone", "state", "next run", "last run",
                    "question")


def format_when(at: datetime | None, tz: str = "") -> str:
    """``2026-12-07 08:00`` in time zone ``tz`` (UTC when empty), or ``-``."""
    if at is None:
        return "-"
    return at.astimezone(ZoneInfo(tz or "UTC")).strftime("%Y-%m-%d %H:%M")


def format_schedule_state(s: ScheduleSummary) -> str:
    """``active``, ``paused``, or ``running`` (a run is going)."""
    if s.running:
        return "running"
    return "paused" if s.paused else "active"


def schedule_row(s: ScheduleSummary) -> tuple[str, ...]:
    """One schedule as the :data:`SCHEDULE_COLUMNS` (unescaped: the question is the user's)."""
    next_run = "-" if s.paused else format_when(s.next_run, s.tz)
    last = f"{s.last_run} ({format_when(s.last_run_at, s.tz)})" if s.last_run else "-"
    return (s.schedule_id, s.every or "?", s.tz or "UTC", format_schedule_state(s), next_run,
            last, s.question)


def schedule_rows(schedules: Sequence[ScheduleSummary]) -> list[tuple[str, ...]]:
    """The rows of a schedules list, in its order."""
    return [schedule_row(s) for s in schedules]
