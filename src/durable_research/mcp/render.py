"""What the tools answer, as plain text for the assistant (pure: no I/O).

Rows and wording come from :mod:`durable_research.client.present`, as the CLI's and
the web page's do; this only lays them out and says which tool to call next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from durable_research.client.draft import draft_text, draft_title
from durable_research.client.files import report_file_keys
from durable_research.client.present import (
    plan_lines,
    report_plan,
    result_rows,
    status_rows,
)
from durable_research.client.refusals import HowTo, answer_placeholders, refusal_hint
from durable_research.client.reports import RUNNING, ReportState, ReportSummary
from durable_research.client.research import PreparedSources
from durable_research.contract.report import ReportStep
from durable_research.contract.review import (
    PLAN_REVIEW_ACTIONS,
    REVIEW_ACTIONS,
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_RAISE_BUDGET,
    UPDATE_REVIEW,
    UPDATE_REVIEW_PLAN,
)
from durable_research.errors import (
    DecisionRefusedError,
    ReportEndedError,
    UserError,
    WorkflowNotFoundError,
    ended_hint,
)
from durable_research.mcp.names import MAX_WAIT_S, Tool, report_uri
from durable_research.terminal import strip_controls

# Skipped source files listed in an answer.
SKIPPED_SHOWN = 10


# The tool sending each decision, and its arguments besides the id.
_SENDS = {UPDATE_REVIEW_PLAN: (Tool.REVIEW_PLAN, "action='approve'"),
          UPDATE_REVIEW: (Tool.REVIEW_DRAFT, "action='approve'"),
          UPDATE_RAISE_BUDGET: (Tool.RAISE_BUDGET, "usd=1.0")}


def _send(update: str, wid: str, answers: int) -> str:
    if update == UPDATE_ANSWER_QUESTIONS:
        listed = ", ".join(repr(a) for a in answer_placeholders(answers))
        return f"{Tool.ANSWER_QUESTIONS}(id={wid!r}, answers=[{listed}])"
    tool, args = _SENDS.get(update, (Tool.GET_STATUS, ""))
    return f"{tool}(id={wid!r}{', ' if args else ''}{args})"


# How the tools name a report's status and its decisions (refusals' hints).
MCP_HOW = HowTo(status=lambda wid: f"{Tool.GET_STATUS}(id={wid!r})", send=_send)


def error_text(exc: UserError) -> str:
    """A user mistake as one line: the message and the hint (naming tools, not commands,
    where the client's hint names a command)."""
    hint = exc.hint
    if isinstance(exc, WorkflowNotFoundError):
        hint = f"{Tool.LIST_REPORTS}() shows recent reports"
    elif isinstance(exc, ReportEndedError):
        hint = ended_hint(f"{Tool.GET_STATUS}(id={exc.workflow_id!r})", exc.lead)
    elif isinstance(exc, DecisionRefusedError):
        hint = refusal_hint(exc, MCP_HOW)
    text = f"{exc.message}. Hint: {hint}" if hint else exc.message
    return " ".join(strip_controls(text).split())


# What an argument takes, by the validation error's type (pydantic's codes): said in the
# JSON words an assistant writes its arguments in.
_TAKES = {"string_type": "text", "list_type": "a list", "dict_type": "an object",
          "bool_type": "true or false", "bool_parsing": "true or false",
          "int_type": "a whole number", "int_parsing": "a whole number",
          "int_from_float": "a whole number", "float_type": "a number",
          "float_parsing": "a number"}
# The argument problems an error names (an assistant fixes them one call at a time).
ARGUMENT_PROBLEMS_SHOWN = 3
# How much of a refused value an error repeats.
VALUE_CHARS = 40


def _where(loc: Sequence[object]) -> str:
    """``("edits", 1)`` as ``edits[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "arguments"


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def argument_error(tool: str, errors: Sequence[Mapping[str, Any]]) -> str:
    """Arguments of the wrong type or missing (the SDK's validation ``errors``) as one
    line naming each argument and what it takes, as the tools' own refusals read."""
    problems = []
    for e in errors[:ARGUMENT_PROBLEMS_SHOWN]:
        where, kind = _where(e.get("loc", ())), str(e.get("type", ""))
        if kind == "missing":
            problems.append(f"{where} is required")
        elif kind in _TAKES:
            problems.append(f"{where} must be {_TAKES[kind]}, not {_shown(e.get('input'))}")
        else:
            problems.append(f"{where}: {e.get('msg', 'not valid')}")
    return error_text(UserError("; ".join(problems),
                                f"the input schema of {tool} gives each argument's type"))


def unknown_arguments_error(tool: str, unknown: Sequence[str], known: Sequence[str]) -> str:
    """Arguments the tool does not have (a typo, or another tool's), as one line."""
    names = ", ".join(repr(name) for name in unknown)
    return error_text(UserError(
        f"{tool} has no argument {names}; its arguments: {', '.join(known)}",
        "check the spelling; an unknown argument is never dropped"))


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    return [f"{label}: {value}" for label, value in rows]


def next_step(state: ReportState) -> str:
    """Which tool to call next, for the report's state."""
    wid = state.workflow_id
    step = state.query.step if state.query else ""
    if state.status == RUNNING:
        if step == ReportStep.CLARIFY:
            return (f"the questions above wait for your answers: {Tool.ANSWER_QUESTIONS}(id, "
                    "answers=[one per question, in order; '' skips one; none: plan without])")
        if step == ReportStep.PLAN_REVIEW:
            return (f"the plan waits for your review: {Tool.REVIEW_PLAN}(id, action=one of "
                    f"{'/'.join(PLAN_REVIEW_ACTIONS)}, edits=[sub-questions] with edit)")
        if step == ReportStep.REVIEW:
            return (f"the draft below waits for your review: {Tool.REVIEW_DRAFT}(id, action="
                    f"one of {'/'.join(REVIEW_ACTIONS)}, text=the new draft with edit or what "
                    "should change with revise)")
        return f"still working: {Tool.GET_STATUS}(id={wid!r}, wait={MAX_WAIT_S}) waits for more"
    if state.result is not None and state.result.status == ReportStep.COMPLETED:
        formats = list(report_file_keys(wid, state.result))
        if formats:
            return (f"{Tool.GET_REPORT}(id, format=one of {'/'.join(formats)}); or read the "
                    f"resource {report_uri(wid, formats[0])}")
    return f"it has ended; {Tool.START_RESEARCH} starts a new report"


def status_text(state: ReportState, sections: Sequence[str] = ()) -> str:
    """A report's state: its rows, what to do next, the plan or draft under review, and
    the ``sections`` written so far while it researches."""
    lines = [f"report: {state.workflow_id}"]
    if state.question:
        lines.append(f"question: {state.question}")
    lines += _rows(result_rows(state.result) if state.result else status_rows(state))
    lines.append(f"next: {next_step(state)}")
    q = state.query
    if state.status == RUNNING and q and q.step == ReportStep.PLAN_REVIEW:
        lines += ["", "Plan:", *plan_lines(report_plan(state))]
    if state.status == RUNNING and q and q.step == ReportStep.REVIEW:
        lines += ["", f"Draft version {q.versions}:", q.draft]
    elif state.status == RUNNING and q and q.research and sections:
        lines += ["", f"{draft_title(q.research).capitalize()}:", draft_text(list(sections))]
    return strip_controls("\n".join(lines))


def started_text(workflow_id: str, sources: PreparedSources) -> str:
    """The line saying a report started (and which documents it reads)."""
    lines = [f"Started report {workflow_id}."]
    if sources.collection:
        lines.append(f"{sources.documents} document(s) from sources stored in {sources.store}")
        lines += [f"skipped {line}" for line in sources.skipped[:SKIPPED_SHOWN]]
        if len(sources.skipped) > SKIPPED_SHOWN:
            lines.append(f"skipped ... and {len(sources.skipped) - SKIPPED_SHOWN} more")
    return strip_controls("\n".join(lines))


def plan_text(state: ReportState) -> str:
    """A report's research plan, and whether it waits for a review."""
    plan = report_plan(state)
    step = state.query.step if state.query else state.status
    if not plan:
        return f"Report {state.workflow_id} has no research plan (yet); step: {step}"
    head = f"Research plan of report {state.workflow_id} (step: {step})"
    if step == ReportStep.PLAN_REVIEW and state.status != RUNNING:  # cancelled while waiting
        head += f"; it has ended ({state.status}): no review reaches it"
    elif step == ReportStep.PLAN_REVIEW:
        head += f"; it waits for your review: {Tool.REVIEW_PLAN}"
    return strip_controls("\n".join([head, *plan_lines(plan)]))


def reports_text(reports: list[ReportSummary]) -> str:
    """Recent reports, one a line: id, status, start (UTC), question, where it is."""
    if not reports:
        return f"No reports yet: {Tool.START_RESEARCH} starts one."
    lines = []
    for r in reports:
        line = f"{r.workflow_id} | {r.status} | {r.started} UTC | {r.question[:120]}"
        lines.append(line + (f" | {r.location}" if r.location else ""))
    return strip_controls("\n".join(lines))
