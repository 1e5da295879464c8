"""Errors a user can cause and fix. The CLI prints these without a traceback."""

from __future__ import annotations


def root_cause(exc: BaseException) -> str:
    """The innermost non-empty message of an exception chain (Temporal wraps failures)."""
    message = str(exc)
    cause: BaseException | None = exc
    while cause is not None:
        if str(cause):
            message = str(cause)
        cause = cause.__cause__
    return message


# Failure types that cross the worker/workflow boundary (ApplicationError.type).
OUTPUT_DISK_FULL = "OutputDiskFull"
# A workflow whose id says it is a child (``<parent>/<name>``) of a workflow it is not a
# child of, or an activity of such a workflow: it would act in another run's folder.
FOREIGN_RUN = "ForeignRun"
# An attachment that is not this run's own report file.
FORBIDDEN_ATTACHMENT = "ForbiddenAttachment"


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


class ReportFailedError(UserError):
    """The workflow ended in failure; ``message`` carries the root cause."""
