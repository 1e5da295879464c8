"""Error types: those a user can cause and fix (the CLI prints them without a
traceback), the failure types that cross the worker/workflow boundary, and the
store's refusal, raised by the key shapes (contract/keys) as well as by the store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def root_cause(exc: BaseException) -> str:
    """The innermost non-empty message of an exception chain (Temporal wraps failures)."""
    message = str(exc)
    cause: BaseException | None = exc
    while cause is not None:
        if str(cause):
            message = str(cause)
        cause = cause.__cause__
    return message


def failure_text(exc: BaseException) -> str:
    """What a failed report says to its user: :func:`root_cause`, except that a cause whose
    message the wrapper already quotes is not preferred to the wrapper.

    An activity classifies a provider's error into a message that quotes it and adds what
    to do ("... Connection error. (cannot reach the LLM server: check LLM_API_BASE ...)")
    and raises it ``from`` the provider's error; the innermost message alone dropped that
    advice. Only the front ends use this: workflow code keeps :func:`root_cause`.
    """
    text = str(exc)
    said = _message(exc)
    cause = exc.__cause__
    while cause is not None and not _child_traceback(cause):
        inner = _message(cause)
        if inner and inner[:_QUOTED_PREFIX] in said:
            break
        if str(cause):
            text, said = str(cause), inner
        cause = cause.__cause__
    return text


# The wrapper may have cut a long quoted message (classify_llm_error keeps 500 characters).
_QUOTED_PREFIX = 200


# The type concurrent.futures gives the traceback of a child process's error, set as that
# error's cause (a worker runs steps in its process pool): lines of code, not a message.
_CHILD_TRACEBACK = "_RemoteTraceback"


def _child_traceback(exc: BaseException) -> bool:
    return (type(exc).__name__ == _CHILD_TRACEBACK
            or getattr(exc, "type", None) == _CHILD_TRACEBACK)


def _message(exc: BaseException) -> str:
    """An exception's own message (Temporal's failures print theirs after their type)."""
    own = getattr(exc, "message", None)
    return own if isinstance(own, str) and own else str(exc)


class FailureType(StrEnum):
    """Failure types that cross the worker/workflow boundary (``ApplicationError.type``).

    The values are names in histories, retry policies and the Temporal UI: never change
    one (old runs and workers of another version use it).
    """

    BAD_EMBEDDINGS = "BadEmbeddings"
    BAD_REPORT_REQUEST = "BadReportRequest"
    CONFIG_ERROR = "ConfigError"
    # A child of the worker's CPU process pool died during a step (killed, out of
    # memory): retryable, the next attempt gets a new pool.
    CPU_PROCESS_CRASHED = "CpuProcessCrashed"
    EMPTY_ANSWER = "EmptyAnswer"
    FONT_NOT_FOUND = "FontNotFound"
    FORBIDDEN_ATTACHMENT = "ForbiddenAttachment"
    FORBIDDEN_KEY = "ForbiddenKey"
    FOREIGN_RUN = "ForeignRun"
    INVALID_ADDRESS = "InvalidAddress"
    LEDGER_NOT_WRITABLE = "LedgerNotWritable"
    MAIL_IN_FLIGHT = "MailInFlight"
    # An MCP server of MCP_SERVERS could not be started, reached or did not answer.
    MCP_UNAVAILABLE = "McpUnavailable"
    MISSING_ATTACHMENT = "MissingAttachment"
    MODEL_NOT_ALLOWED = "ModelNotAllowed"
    OUTPUT_DISK_FULL = "OutputDiskFull"
    OUTPUT_NOT_WRITABLE = "OutputNotWritable"
    OUTSIDE_OUTPUT_ROOT = "OutsideOutputRoot"
    RECIPIENT_NOT_ALLOWED = "RecipientNotAllowed"
    SEARCH_FAILED = "SearchFailed"
    SMTP_AUTHENTICATION_ERROR = "SMTPAuthenticationError"
    SMTP_INSECURE = "SMTPInsecure"
    SMTP_RECIPIENTS_REFUSED = "SMTPRecipientsRefused"
    # The mail server answered a permanent refusal (5xx: sender, size, policy, spam).
    SMTP_REFUSED = "SMTPRefused"
    STORE_ERROR = "StoreError"
    STORE_UNAVAILABLE = "StoreUnavailable"
    TEMPORAL_UNAVAILABLE = "TemporalUnavailable"
    UNKNOWN_SCHEMA = "UnknownSchema"
    # An Update's validator: the report is not at the step the Update is for (a review
    # while no draft waits, a budget raise after it finished). Clients answer 409.
    WRONG_STATE = "WrongState"


# The output disk is full: the workflow waits and schedules the step again.
OUTPUT_DISK_FULL = FailureType.OUTPUT_DISK_FULL
# A workflow whose id says it is a child (``<parent>/<name>``) of a workflow it is not a
# child of, or an activity of such a workflow: it would act in another run's folder.
FOREIGN_RUN = FailureType.FOREIGN_RUN
# An attachment that is not this run's own report file.
FORBIDDEN_ATTACHMENT = FailureType.FORBIDDEN_ATTACHMENT


class UserError(Exception):
    """A problem the user can fix; ``hint`` says how."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(UserError):
    """The settings (env or .env) are missing or invalid."""


class TemporalUnavailableError(UserError):
    """No Temporal server answers at the configured address."""


class WorkflowNotFoundError(UserError):
    """No workflow with the given id exists."""


class WrongStateError(UserError):
    """The report is not in the state the action needs: it has ended, or is not waiting
    for the review sent (the HTTP API answers 409)."""


class ReportEndedError(WrongStateError):
    """The report has ended, so it takes no more decisions. The hint points at where to see
    how it ended, as each front end names that (``ended_hint``): ``research status ID`` on
    the command line, the report's page, ``GET /api/v1/reports/ID``, ``get_status``."""

    def __init__(self, message: str, workflow_id: str, lead: str = "") -> None:
        super().__init__(message, ended_hint(f"`research status {workflow_id}`", lead))
        self.workflow_id = workflow_id
        # What the hint says before the pointer ("nothing to cancel; ").
        self.lead = lead


@dataclass(frozen=True)
class Refusal:
    """What a report refused (an Update's validator): the Update's name, the report, and,
    for answers, how many questions it asked (0: not said). A decision out of turn also
    names the Update the report waits for instead (``waiting``: "" when it waits for none,
    or no worker said), and ``asked`` counts its questions when that is the answers. Each
    front end words the hint from it with its own names (``client.refusals.refusal_hint``)."""

    update: str
    workflow_id: str
    asked: int = 0
    waiting: str = ""


class DecisionRefusedError(UserError):
    """A report refused a decision sent to it (its reason is the message)."""

    def __init__(self, message: str, refusal: Refusal, hint: str = "") -> None:
        super().__init__(message, hint)
        self.refusal = refusal


class DecisionWrongStateError(DecisionRefusedError, WrongStateError):
    """A report refused a decision it is not waiting for (the HTTP API answers 409)."""


def ended_hint(where: str, lead: str = "") -> str:
    """The hint of a :class:`ReportEndedError`, pointing at ``where``."""
    return f"{lead}{where} shows how it ended"


class NoWorkerError(UserError):
    """No worker polls the report's task queue, so an Update to it would hang."""


class ReportFileMissingError(UserError):
    """A report has no file of the format asked for (not finished, or not written)."""


class ReportFailedError(UserError):
    """The workflow ended in failure; ``message`` carries the root cause."""


class StoreError(Exception):
    """The artifact store refused a request; not fixed by retrying (bad key, refused
    credentials). Here rather than in store/: the pure key shapes in contract/keys
    refuse a malformed key with it, and the contract imports no I/O wing."""
