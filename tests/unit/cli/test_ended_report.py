"""How ``research run``/``result`` end when the report did not complete: a cancelled
report said "Error: The report failed: Workflow cancelled" (found in a new user's trial:
``research cancel ID`` and then ``research result ID``), though nothing failed: the user
stopped it. A terminated one, likewise, is no failure of the report."""

from __future__ import annotations

from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError, TerminatedError

from durable_research.cli.progress import ended_error

ID = "report-0123456789ab"


def test_a_cancelled_report_is_said_to_be_cancelled() -> None:
    error = ended_error(WorkflowFailureError(cause=CancelledError("Workflow cancelled")), ID)
    assert error.message == "The report was cancelled: nothing more was written or sent"
    assert "failed" not in error.message
    assert f"research status {ID}" in error.hint


def test_a_terminated_report_says_so_with_its_reason() -> None:
    error = ended_error(WorkflowFailureError(cause=TerminatedError("by the operator", ())), ID)
    assert error.message == "The report was terminated (by the operator)", error.message
    blank = ended_error(WorkflowFailureError(cause=TerminatedError("", ())), ID)
    assert blank.message == "The report was terminated", blank.message


def test_a_failure_is_still_a_failure_with_its_cause() -> None:
    failure = WorkflowFailureError(cause=ApplicationError("the LLM refused the key"))
    error = ended_error(failure, ID)
    assert error.message == "The report failed: the LLM refused the key", error.message
    assert error.hint == f"details: `research status {ID}`"
