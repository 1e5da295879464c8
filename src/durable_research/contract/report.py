"""A report's run: its ids, input, steps, status and result, and the delivery steps
(PDF, e-mail) the report workflow runs as activities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.contract.citations import Reference, Verification
from durable_research.contract.llm import Usage
from durable_research.contract.research import AgentMode, Budget, Depth, ResearchProgress
from durable_research.errors import UserError

TASK_QUEUE = "research"
# What the Temporal server refuses in a task queue's name (tqid.Validate): longer than its
# default limit.maxIDLength in UTF-8 bytes, or starting with its reserved prefix.
MAX_TASK_QUEUE_BYTES = 1000
RESERVED_TASK_QUEUE_PREFIX = "/_sys/"
DEFAULT_PROMPT = "Give me 5 fun and fascinating facts about tardigrades."
WORKFLOW_ID_PREFIX = "report-"
# Each line of a report's history starts with its workflow time in this format (UTC).
HISTORY_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def check_task_queue(raw: str, what: str) -> str:
    """A task queue's name as given by ``what`` (an option or variable), without its outer
    spaces.

    Blank is refused, not read as the default: ``--task-queue "$QUEUE"`` with QUEUE unset
    polled the shared default queue, serving (and taking) other people's reports.

    Raises:
        UserError: Blank, control characters, not UTF-8, or a name the server refuses.
    """
    name = raw.strip()
    if not name:
        raise UserError(f"{what} is blank",
                        f"name a task queue, or leave {what} out for the default "
                        f"{TASK_QUEUE!r}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise UserError(f"{what} {name[:40]!r} holds a control character",
                        "use letters, digits and punctuation")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:  # undecodable bytes in argv arrive as surrogates
        raise UserError(f"{what} is not valid UTF-8 text") from None
    if size > MAX_TASK_QUEUE_BYTES:
        raise UserError(f"{what} is longer than {MAX_TASK_QUEUE_BYTES} bytes, the Temporal "
                        "server's limit")
    if name.startswith(RESERVED_TASK_QUEUE_PREFIX):
        raise UserError(f"{what} {name[:40]!r} starts with {RESERVED_TASK_QUEUE_PREFIX!r}, "
                        "reserved by the Temporal server")
    return name


class ReportFormat(StrEnum):
    """The files a report can be written as (``--format``, the page, the HTTP API)."""

    PDF = "pdf"
    MD = "md"
    HTML = "html"
    DOCX = "docx"


DEFAULT_FORMATS: tuple[str, ...] = (ReportFormat.PDF.value,)
# In this order (PDF first): the order a report's files are listed and written in.
KNOWN_FORMATS: tuple[str, ...] = tuple(f.value for f in ReportFormat)
# Ids people choose (``--id`` of a report or a schedule): file-name, URL and query safe.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}"
# A schedule's runs: the schedule starts ``scheduled-<schedule id>``, and the server names
# each run that id, "-" and the run's time (RFC 3339, UTC, to the second). The prefix is
# reserved (no --id may start with it), so only a schedule's input is bound to such an id,
# and a payload bound to it opens in its runs (payloads/binding.py).
SCHEDULED_RUN_PREFIX = "scheduled-"
_SCHEDULED_RUN = re.compile(rf"({re.escape(SCHEDULED_RUN_PREFIX)}{ID_PATTERN})"
                            r"-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def schedule_action_id(schedule_id: str) -> str:
    """The workflow id a schedule starts its runs under (the server appends the time)."""
    return f"{SCHEDULED_RUN_PREFIX}{schedule_id}"


def scheduled_action_of(workflow_id: str) -> str | None:
    """The schedule's action id a scheduled run's id extends, or None for other ids."""
    found = _SCHEDULED_RUN.fullmatch(workflow_id)
    return found.group(1) if found else None


# The search attribute the Temporal server sets on every workflow a schedule starts (the
# schedule's id): how a scheduled report's earlier runs are found, and its own checked.
SCHEDULED_BY_ATTRIBUTE = "TemporalScheduledById"
# Child workflows have ids ``<parent id><CHILD_ID_SEPARATOR><name>`` (``report-1/q2``) and
# share their parent's store folder; a root report's id never contains it.
CHILD_ID_SEPARATOR = "/"


def claimed_parent(workflow_id: str) -> str | None:
    """The id of the parent a workflow's id names, or None for a root's id."""
    parent, sep, _name = workflow_id.rpartition(CHILD_ID_SEPARATOR)
    return parent if sep else None


class RunStatus(StrEnum):
    """How a report run stands, as clients show it: the Temporal server's execution
    status lower-cased, or for a finished run listed by ``research list`` its result's
    status (``rejected`` is a completed workflow without a report)."""

    RUNNING = "running"
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELED = "canceled"
    TERMINATED = "terminated"
    TIMED_OUT = "timed_out"
    CONTINUED_AS_NEW = "continued_as_new"
    UNKNOWN = "unknown"


class ReportStep(StrEnum):
    """The steps a report goes through, as the ``status`` query shows them."""

    STARTING = "starting"
    # A single LLM answer (quick, or no source to research): no research is done.
    RESEARCHING = "answering"
    CLARIFY = "waiting for answers"
    PLANNING = "planning"
    PLAN_REVIEW = "waiting for plan review"
    SOURCES = "researching sources"
    WRITING_SECTIONS = "writing sections"
    CHECKING = "checking citations"
    REVIEW = "waiting for review"
    REVISING = "revising"
    WRITING = "writing report"
    # The step runs whether or not a mail goes out (no SMTP_HOST, no recipient): the
    # result says which, so the name claims no sending.
    EMAIL = "e-mail"
    COMPLETED = "completed"
    REJECTED = "rejected"

    @classmethod
    def _missing_(cls, value: object) -> ReportStep | None:
        # The steps' earlier names: what a worker of older code says.
        return _EARLIER_STEP_NAMES.get(str(value))


_EARLIER_STEP_NAMES = {"sending e-mail": ReportStep.EMAIL, "researching": ReportStep.RESEARCHING}


@dataclass
class ReportContent:
    """Everything needed to lay out a report; pure data, no I/O."""

    title: str = "Research Report"
    question: str = ""
    body_markdown: str = ""
    model: str = ""
    # ISO date (YYYY-MM-DD) chosen by the workflow so replays are deterministic.
    date: str = ""
    usage: Usage = field(default_factory=Usage)
    # Research reports: the numbered sources, the citation check, and notes for the
    # reader (failed pages, budget stops). Empty for single-call reports.
    references: list[Reference] = field(default_factory=list)
    verification: Verification | None = None
    research_notes: list[str] = field(default_factory=list)
    # Store key of the body's Markdown; when set, the activity reads the body from the
    # artifact store instead of ``body_markdown`` (large texts stay out of history).
    body_key: str = ""


@dataclass
class CreatePdfInput:
    """Input of the ``create_pdf`` activity.

    ``basename`` is derived by the workflow from its id; the activity makes it
    safe. ``output_dir`` is a request: a sub-folder of the worker's output root (or a
    path inside it); anything else is refused. Empty: the root itself.
    """

    content: ReportContent = field(default_factory=ReportContent)
    basename: str = ""
    output_dir: str = ""
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    overwrite: bool = False


@dataclass
class CreatePdfOutput:
    """Paths of the written files; the PDF bytes never enter the history."""

    pdf_path: str = ""
    paths: list[str] = field(default_factory=list)
    # The same files in the artifact store (PDF first), readable from any machine.
    keys: list[str] = field(default_factory=list)
    store: str = ""


def report_message_key(workflow_id: str, run_id: str) -> str:
    """The key of a report's mail: one per run, so a re-used workflow id mails again."""
    return f"{workflow_id}/{run_id}/report"


@dataclass
class SendEmailInput:
    """Input of the ``send_email`` activity.

    ``message_key`` is stable per workflow so a retried send is recognisable.
    """

    to: str = ""
    subject: str = ""
    body: str = ""
    attachment_path: str = ""
    # Store key of the report to attach; only this run's own files are attached.
    attachment_key: str = ""
    message_key: str = ""


@dataclass
class SendEmailOutput:
    """Whether a message was sent, and why not when it was skipped."""

    sent: bool = False
    skipped_reason: str = ""
    message_id: str = ""
    recipients: list[str] = field(default_factory=list)
    # Nobody can know whether it was delivered (an attempt died after the whole message
    # went out, before the server's reply); ``skipped_reason`` says so.
    uncertain: bool = False


@dataclass
class ReportInput:
    """Input of ``GenerateReportWorkflow``."""

    prompt: str = DEFAULT_PROMPT
    model: str = ""
    formats: list[str] = field(default_factory=lambda: list(DEFAULT_FORMATS))
    output_dir: str = ""
    overwrite: bool = False
    email_to: str = ""
    review: bool = False
    # Seconds to wait for a reviewer; 0 means wait forever.
    review_timeout_s: float = 0.0
    # "approve" or "reject" when the review deadline passes.
    review_timeout_action: str = "approve"
    # Research: breadth, local documents (a collection key in the artifact store, made by
    # the client from --sources), whether to search the web, plan review, domain lists
    # and the budget. "quick" (the default for inputs that do not say) is the
    # single-call report; the CLI asks for "standard".
    depth: str = Depth.QUICK
    collection: str = ""
    web: bool = True
    review_plan: bool = False
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)
    # Preferred sources, ranked first among relevant hits: web domains, and folders or
    # globs of the collection's document names (validated by the client).
    prefer_domains: list[str] = field(default_factory=list)
    prefer_paths: list[str] = field(default_factory=list)
    # Whether DuckDuckGo answered the client (a DdgsReach): auto takes it only then.
    ddgs_reach: str = ""
    # Before planning, let the model ask the user up to 3 clarifying questions and wait
    # for the answers (the ``answer_questions`` Update; the review deadline applies).
    clarify: bool = False
    # The research agent (an AgentMode value) and its model turns per sub-question (0: by
    # depth, AGENT_STEPS).
    agent: str = AgentMode.AUTO
    max_steps: int = 0
    # Set by ``research schedule add`` in the schedule's action: the report starts with
    # what changed since the schedule's previous report. Empty: an ordinary report.
    schedule_id: str = ""
    # The language the plan, notes and report are written in: a BCP-47 tag of
    # contract.language.LANGUAGES (the client's --language, or the question's detected).
    # Empty (inputs from before the option): the prompts name no language.
    language: str = ""


@dataclass
class ChangesInput:
    """Input of the ``report_changes`` activity: this run's body (by key, or inline for a
    single-answer report) and references, to compare with the schedule's previous run."""

    schedule_id: str = ""
    body_key: str = ""
    body_markdown: str = ""
    references: list[Reference] = field(default_factory=list)


@dataclass
class ChangesOutput:
    """The body with "What changed since the last run" in front, by key."""

    body_key: str = ""
    # The run compared against ("" on a schedule's first run), and the changes in a line.
    previous_id: str = ""
    summary: str = ""


@dataclass
class ReportResult:
    """Result of ``GenerateReportWorkflow``."""

    status: str = "completed"
    pdf_path: str = ""
    paths: list[str] = field(default_factory=list)
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    email: SendEmailOutput = field(default_factory=SendEmailOutput)
    note: str = ""
    # Where the files are in the artifact store (``research result --download``).
    keys: list[str] = field(default_factory=list)
    store: str = ""
    # Research reports: what was used and checked.
    sources_used: str = ""
    references: list[Reference] = field(default_factory=list)
    verification: Verification | None = None
    research_notes: list[str] = field(default_factory=list)
    # The research plan that was followed.
    subquestions: list[str] = field(default_factory=list)


@dataclass
class ReportStatus:
    """Answer of the ``status`` query: where the workflow is right now."""

    step: str = "starting"
    draft: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    waiting_for_review_since: str = ""
    versions: int = 0
    history: list[str] = field(default_factory=list)
    result: ReportResult | None = None
    research: ResearchProgress | None = None
    # The sub-questions awaiting plan review (step "waiting for plan review").
    waiting_for_plan_review_since: str = ""
    # The model's clarifying questions (step "waiting for answers"), and since when.
    questions: list[str] = field(default_factory=list)
    waiting_for_answers_since: str = ""
