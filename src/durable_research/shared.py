"""Names and dataclasses shared by workflows, activities, worker and client.

Every workflow/activity takes exactly one dataclass whose fields all have
defaults, so fields can be added later without breaking running histories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

TASK_QUEUE = "research"
DEFAULT_PROMPT = "Give me 5 fun and fascinating facts about tardigrades."
WORKFLOW_ID_PREFIX = "report-"
DEFAULT_FORMATS: tuple[str, ...] = ("pdf",)
KNOWN_FORMATS: tuple[str, ...] = ("pdf", "md", "html")


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


@dataclass
class LlmCallOutput:
    """Output of the ``llm_call`` activity."""

    text: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)


class SourceKind(StrEnum):
    """Where a source came from."""

    WEB = "web"
    LOCAL = "local"


@dataclass
class Reference:
    """One entry of the fixed, numbered source list."""

    n: int = 0
    title: str = ""
    url: str = ""
    kind: str = SourceKind.WEB
    content_hash: str = ""
    accessed: str = ""


@dataclass
class UnsupportedCitation:
    """A cited sentence the checker could not verify against its source."""

    sentence: str = ""
    n: int = 0
    score: float = 0.0
    reason: str = ""


@dataclass
class Verification:
    """What the citation check found, for the report's "About" section."""

    checked: int = 0
    supported: int = 0
    judged: int = 0
    unsupported: list[UnsupportedCitation] = field(default_factory=list)
    # How unsupported sentences were treated, e.g. "marked [unverified]".
    treatment: str = ""


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
    safe and places it under ``output_dir`` (empty: the worker's setting).
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


@dataclass
class SendEmailInput:
    """Input of the ``send_email`` activity.

    ``message_key`` is stable per workflow so a retried send is recognisable.
    """

    to: str = ""
    subject: str = ""
    body: str = ""
    attachment_path: str = ""
    message_key: str = ""


@dataclass
class SendEmailOutput:
    """Whether a message was sent, and why not when it was skipped."""

    sent: bool = False
    skipped_reason: str = ""
    message_id: str = ""
    recipients: list[str] = field(default_factory=list)


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


REVIEW_ACTIONS: tuple[str, ...] = ("approve", "edit", "revise", "reject")


@dataclass
class ReviewInput:
    """Argument of the ``review`` Update."""

    action: str = ""
    # Replacement draft for "edit".
    text: str = ""
    # Free-text instructions for "revise".
    feedback: str = ""
    reviewer: str = ""


@dataclass
class ReviewOutcome:
    """Answer of the ``review`` Update, returned to the reviewer."""

    action: str = ""
    step: str = ""
    draft: str = ""
    version: int = 0
    message: str = ""
