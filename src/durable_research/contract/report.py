"""Names and dataclasses shared by workflows, activities, worker and client.

Every workflow/activity takes exactly one dataclass whose fields all have
defaults, so fields can be added later without breaking running histories.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

TASK_QUEUE = "research"
DEFAULT_PROMPT = "Give me 5 fun and fascinating facts about tardigrades."
WORKFLOW_ID_PREFIX = "report-"
DEFAULT_FORMATS: tuple[str, ...] = ("pdf",)
KNOWN_FORMATS: tuple[str, ...] = ("pdf", "md", "html")
# Child workflows have ids ``<parent id><CHILD_ID_SEPARATOR><name>`` (``report-1/q2``) and
# share their parent's store folder; a root report's id never contains it.
CHILD_ID_SEPARATOR = "/"


def claimed_parent(workflow_id: str) -> str | None:
    """The id of the parent a workflow's id names, or None for a root's id."""
    parent, sep, _name = workflow_id.rpartition(CHILD_ID_SEPARATOR)
    return parent if sep else None


class ReportStep(StrEnum):
    """The steps a report goes through, as the ``status`` query shows them."""

    STARTING = "starting"
    RESEARCHING = "researching"
    PLANNING = "planning"
    PLAN_REVIEW = "waiting for plan review"
    SOURCES = "researching sources"
    WRITING_SECTIONS = "writing sections"
    CHECKING = "checking citations"
    REVIEW = "waiting for review"
    REVISING = "revising"
    WRITING = "writing report"
    EMAIL = "sending e-mail"
    COMPLETED = "completed"
    REJECTED = "rejected"


@dataclass
class Usage:
    """Token counts and cost of one or more LLM calls, as litellm reports them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None

    def add(self, other: Usage) -> Usage:
        """Return the sum of two usages (cost stays unknown if both are unknown)."""
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cost_usd=cost,
        )


class AnswerSchema(StrEnum):
    """A JSON answer's schema by name; the models are in ``research/answers.py``."""

    PLAN = "plan"
    NOTES = "notes"
    JUDGE = "judge"


@dataclass
class LlmCallInput:
    """Input of the ``llm_call`` activity. Holds no secrets: keys come from settings."""

    prompt: str = ""
    system: str = ""
    # Empty means "the model configured on the worker".
    model: str = ""
    # Previous draft and reviewer feedback, used when revising a draft.
    draft: str = ""
    feedback: str = ""
    # An AnswerSchema value: the answer is asked for in that JSON shape (``response_format``)
    # where the provider supports it. Empty: free text.
    answer_schema: str = ""


@dataclass
class LlmCallOutput:
    """Output of the ``llm_call`` activity."""

    text: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    # An answer too large for the history is in the artifact store under this key;
    # ``text`` then holds only its beginning.
    text_key: str = ""


class SourceKind(StrEnum):
    """Where a source came from."""

    WEB = "web"
    LOCAL = "local"


class Authority(StrEnum):
    """How far a source is trusted: the user's preferred sources (``--prefer-domain``,
    ``--prefer-path``), ordinary ones, and known content farms / re-post sites."""

    PREFERRED = "preferred"
    NORMAL = "normal"
    LOW_TRUST = "low-trust"


@dataclass
class Reference:
    """One entry of the fixed, numbered source list."""

    n: int = 0
    title: str = ""
    url: str = ""
    kind: str = SourceKind.WEB
    content_hash: str = ""
    accessed: str = ""
    authority: str = Authority.NORMAL


@dataclass
class UnsupportedCitation:
    """A cited sentence the checker could not verify against its source."""

    sentence: str = ""
    n: int = 0
    score: float = 0.0
    reason: str = ""


class ClaimStatus(StrEnum):
    """What the check says of one cited sentence, against all gathered sources."""

    # Its cited source supports it and no gathered source contradicts it.
    VERIFIED = "verified"
    # ... and another, independent source supports it too.
    CORROBORATED = "corroborated"
    # A gathered source contradicts it (whatever its own source says).
    DISPUTED = "disputed"
    # Its cited source does not support it, and nothing contradicts it.
    UNVERIFIED = "unverified"


@dataclass
class DisputedCitation:
    """A cited sentence that another gathered source contradicts: both passages, and why."""

    sentence: str = ""
    # The cited source and what it says.
    n: int = 0
    passage: str = ""
    # The source that says otherwise (a References number) and what it says.
    other: int = 0
    other_passage: str = ""
    reason: str = ""


@dataclass
class Verification:
    """What the citation check found, for the report's "About" section.

    ``supported`` counts the verified and the corroborated sentences (``corroborated`` of
    them had an independent second source); ``disputed`` and ``unsupported`` list the others.
    """

    checked: int = 0
    supported: int = 0
    judged: int = 0
    unsupported: list[UnsupportedCitation] = field(default_factory=list)
    # How unsupported sentences were treated, e.g. "marked [unverified]".
    treatment: str = ""
    corroborated: int = 0
    disputed: list[DisputedCitation] = field(default_factory=list)

    def counts(self) -> dict[ClaimStatus, int]:
        """How many cited sentences got each status."""
        return {ClaimStatus.VERIFIED: self.supported - self.corroborated,
                ClaimStatus.CORROBORATED: self.corroborated,
                ClaimStatus.DISPUTED: len(self.disputed),
                ClaimStatus.UNVERIFIED: len(self.unsupported)}

    def distinct_disputes(self) -> list[DisputedCitation]:
        """The disputed claims once each (a report may make one claim in several places)."""
        seen: set[tuple[str, int, int]] = set()
        out = []
        for d in self.disputed:
            key = (" ".join(d.sentence.split()), d.n, d.other)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def summary(self, marks: dict[ClaimStatus, str] | None = None) -> str:
        """One line for people: "28 cited sentences: 20 verified, 4 corroborated, ...";
        ``marks``: a terminal's markup style for some statuses (``[red]2 disputed[/]``)."""
        noun = "sentence" if self.checked == 1 else "sentences"
        parts = []
        for status, n in self.counts().items():
            if n or status is ClaimStatus.VERIFIED:
                style = (marks or {}).get(status)
                parts.append(f"[{style}]{n} {status}[/]" if style and n else f"{n} {status}")
        return f"{self.checked} cited {noun}: {', '.join(parts)}"


MIN_SUBQUESTIONS = 3
MAX_SUBQUESTIONS = 8


class Depth(StrEnum):
    """How broad a research run is."""

    QUICK = "quick"
    STANDARD = "standard"
    DEEP = "deep"


@dataclass(frozen=True)
class DepthPreset:
    """Breadth of one depth level."""

    max_subquestions: int
    pages_per_subquestion: int
    rounds: int
    search_results: int
    concurrency: int


DEPTH_PRESETS: dict[Depth, DepthPreset] = {
    Depth.QUICK: DepthPreset(0, 0, 0, 0, 1),
    Depth.STANDARD: DepthPreset(4, 3, 1, 8, 3),
    Depth.DEEP: DepthPreset(8, 6, 2, 10, 4),
}


class SubState(StrEnum):
    """State of one sub-question's research."""

    PENDING = "pending"
    SEARCHING = "searching"
    FETCHING = "fetching"
    NOTING = "taking notes"
    DONE = "done"
    FAILED = "failed"
    BUDGET = "stopped by budget"


@dataclass
class Budget:
    """Caps on spending; 0 means no cap."""

    max_usd: float = 0.0
    max_tokens: int = 0
    max_pages: int = 0


@dataclass
class SubProgress:
    """Live state of one sub-question (shown by ``status``)."""

    index: int = 0
    subquestion: str = ""
    state: str = SubState.PENDING
    searched: int = 0
    fetched: int = 0
    failed: int = 0
    notes: int = 0
    usage: Usage = field(default_factory=Usage)
    error: str = ""
    # Numbers the child's snapshots: signals not awaited may arrive out of order, and an
    # older one must not undo a newer one (0: sent by a child that did not number them).
    seq: int = 0


@dataclass
class ResearchProgress:
    """The research part of the ``status`` query."""

    depth: str = ""
    sources: str = ""
    plan: list[str] = field(default_factory=list)
    subs: list[SubProgress] = field(default_factory=list)
    pages_fetched: int = 0
    pages_failed: int = 0
    sources_kept: int = 0
    budget: Budget = field(default_factory=Budget)
    budget_note: str = ""


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


class ReviewAction(StrEnum):
    """What a reviewer can do with a waiting draft (the ``review`` Update's ``action``)."""

    APPROVE = "approve"
    EDIT = "edit"
    REVISE = "revise"
    REJECT = "reject"


class PlanReviewAction(StrEnum):
    """What a reviewer can do with a waiting research plan (``review_plan``'s ``action``)."""

    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


REVIEW_ACTIONS: tuple[str, ...] = tuple(ReviewAction)


def past_tense(action: str) -> str:
    """How a review decision reads in a report's history ("approved", "rejected", ...)."""
    return {"approve": "approved", "edit": "edited", "revise": "revised",
            "reject": "rejected"}.get(action, action)
# The workflow's Update handlers, by name (clients call them by these names).
UPDATE_REVIEW = "review"
UPDATE_RAISE_BUDGET = "raise_budget"
UPDATE_REVIEW_PLAN = "review_plan"
# A DNS domain name, as plan reviews and --allow-domain/--deny-domain accept them.
DOMAIN_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.I)
PLAN_REVIEW_ACTIONS: tuple[str, ...] = tuple(PlanReviewAction)


@dataclass
class PlanReviewInput:
    """Argument of the ``review_plan`` Update: approve, edit the list, or reject."""

    action: str = ""
    # "edit": the new sub-question list (replaces the plan).
    subquestions: list[str] = field(default_factory=list)
    # Domain lists merged into the research (with approve or edit).
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    reviewer: str = ""


@dataclass
class RaiseBudgetInput:
    """Argument of the ``raise_budget`` Update: new caps (0 keeps a cap as it is)."""

    max_usd: float = 0.0
    max_tokens: int = 0
    max_pages: int = 0


@dataclass
class BudgetOutcome:
    """Answer of ``raise_budget``: the caps now in force and what was spent."""

    budget: Budget = field(default_factory=Budget)
    spent_usd: float = 0.0
    spent_tokens: int = 0
    pages: int = 0
    message: str = ""


@dataclass
class ReviewInput:
    """Argument of the ``review`` Update."""

    action: str = ""
    # Replacement draft for "edit".
    text: str = ""
    # Free-text instructions for "revise".
    feedback: str = ""
    reviewer: str = ""


# What one review may send (its text and feedback as encoded in the Update's payload:
# JSON escapes each non-ASCII character as \uXXXX, up to 6 bytes). Temporal refuses
# payloads over 2 MB, and the draft travels back in the answer and on to later steps: a
# 2.5 MB edit failed the workflow task and left the report stuck (issue 25).
MAX_REVIEW_BYTES = 1_000_000


def review_too_large(review: ReviewInput) -> str:
    """Why ``review`` is too large to send ("" when it is not)."""
    size = len(json.dumps(review.text)) + len(json.dumps(review.feedback))
    if size <= MAX_REVIEW_BYTES:
        return ""
    what = "edited draft" if len(review.text) >= len(review.feedback) else "feedback"
    return (f"The {what} is {size / 1e6:.1f} MB as sent; a review can send at most "
            f"{MAX_REVIEW_BYTES / 1e6:.1f} MB (a non-ASCII character counts up to 6 bytes)")


@dataclass
class ReviewOutcome:
    """Answer of the ``review`` Update, returned to the reviewer."""

    action: str = ""
    step: str = ""
    draft: str = ""
    version: int = 0
    message: str = ""
