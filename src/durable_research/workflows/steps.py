"""How each activity of the report workflow is run: timeouts, heartbeats, retries.

Pure data, pure predicates and the step runner, safe to import into the workflow sandbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    TimeoutType,
    is_cancelled_exception,
)

# Not the builtin TimeoutError, which wait_condition raises at the review deadline.
from temporalio.exceptions import TimeoutError as ActivityTimeoutError
from temporalio.workflow import ActivityCancellationType

from durable_research.errors import OUTPUT_DISK_FULL, FailureType

R = TypeVar("R")


@dataclass(frozen=True)
class Step:
    """How one activity is run: its timeouts and RetryPolicy."""

    activity: str
    start_to_close: timedelta
    # Heartbeats every second (throttled by the SDK to 0.8 x this) make a dead worker
    # visible in seconds; measured in bench/recovery.py, 5 s halves recovery time.
    heartbeat: timedelta
    retry: RetryPolicy


# The LLM step: bounded attempts with backoff so a failing provider is never paid
# for endlessly.
LLM_STEP = Step(
    "llm_call",
    start_to_close=timedelta(minutes=10),
    heartbeat=timedelta(seconds=5),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=5,
    ),
)
PDF_STEP = Step(
    "create_pdf",
    start_to_close=timedelta(minutes=5),
    heartbeat=timedelta(seconds=5),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=2), backoff_coefficient=3.0, maximum_attempts=3
    ),
)
EMAIL_STEP = Step(
    "send_email",
    start_to_close=timedelta(minutes=2),
    heartbeat=timedelta(seconds=5),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=5),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=5),
        maximum_attempts=6,
        non_retryable_error_types=[FailureType.INVALID_ADDRESS,
                                   FailureType.SMTP_AUTHENTICATION_ERROR],
    ),
)
# Research steps. LLM-backed ones share the LLM step's retry policy.
def _llm_like(activity: str, minutes: int = 15) -> Step:
    return Step(activity, timedelta(minutes=minutes), LLM_STEP.heartbeat, LLM_STEP.retry)


NOTES_STEP = _llm_like("take_notes")
SECTION_STEP = _llm_like("write_section")
CHECK_STEP = _llm_like("check_citations", minutes=30)
# The research agent: a model turn is an LLM call; a tool call searches or fetches (its
# own timeouts bound it) or checks a quote.
AGENT_TURN_STEP = _llm_like("agent_turn", minutes=10)
_QUICK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=3
)
# Notes against notes, no LLM: seconds of CPU even for a deep report's ~600 notes.
COMPARE_NOTES_STEP = Step("compare_notes", timedelta(minutes=5), timedelta(seconds=30),
                          _QUICK_RETRY)
# The citation check's work that needs no summary, while the summary is written (no LLM;
# an optimisation: the check does it itself when this fails).
PREPARE_CHECK_STEP = Step("prepare_check", timedelta(minutes=10), timedelta(seconds=30),
                          _QUICK_RETRY)
SOURCES_STEP = Step("research_sources", timedelta(minutes=2), timedelta(seconds=30), _QUICK_RETRY)
READ_STEP = Step("read_text", timedelta(minutes=2), timedelta(seconds=30), _QUICK_RETRY)
# A scheduled report's "What changed since the last run": store and server reads, no LLM.
CHANGES_STEP = Step("report_changes", timedelta(minutes=2), timedelta(seconds=30),
                    _QUICK_RETRY)
SEARCH_STEP = Step(
    "search",
    start_to_close=timedelta(minutes=2),
    heartbeat=timedelta(seconds=10),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=1), maximum_attempts=4,
    ),
)
FETCH_STEP = Step(
    "fetch_page",
    start_to_close=timedelta(minutes=2),
    heartbeat=timedelta(seconds=10),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=30), maximum_attempts=3,
    ),
)
AGENT_TOOL_STEP = Step("agent_tool", timedelta(minutes=3), timedelta(seconds=10),
                       RetryPolicy(initial_interval=timedelta(seconds=2),
                                   backoff_coefficient=2.0,
                                   maximum_interval=timedelta(seconds=30), maximum_attempts=3))
# A round's pages in one activity: each page's own fetch timeouts bound it.
FETCH_PAGES_STEP = Step(
    "fetch_pages",
    start_to_close=timedelta(minutes=5),
    heartbeat=FETCH_STEP.heartbeat,
    retry=FETCH_STEP.retry,
)

# Attempts lost to dead workers (heartbeat timeouts) are not the step's fault: the
# step is scheduled afresh this many times before the workflow gives up.
WORKER_LOSS_ROUNDS = 3
# On cancel, wait until the activity has heard it (through its heartbeat) and
# stopped, so no LLM call or render keeps running after `research cancel`.
CANCEL = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED


# A cancel asked for while a step (activity or child workflow) ran, which the step finished
# anyway, ends the run there instead of being lost (see ``end_if_cancelled``).
CANCEL_AFTER_STEP_PATCH = "cancel-after-finished-step"


def end_if_cancelled() -> None:
    """End the run as cancelled if its cancel was asked for while a step was running.

    The steps wait for their cancellation to complete (``CANCEL``). When the step
    finishes before it hears the cancel (an activity's next heartbeat, up to 0.8 x
    its heartbeat timeout away), the SDK returns its result and the request is used
    up: the run went on as if never cancelled. Seen under load: ``research_sources``
    completed 0.2 s after ``research cancel``, the report planned on and waited for
    its review, so the cancel never took effect (``tests/e2e/cli``'s cancel test,
    past its 300 s). The SDK still records the request (``workflow.cancellation_reason``).

    Raises:
        asyncio.CancelledError: The run was asked to cancel (histories recorded before
            this check go on as they did).
    """
    if workflow.cancellation_reason() is not None and workflow.patched(CANCEL_AFTER_STEP_PATCH):
        raise asyncio.CancelledError("cancelled while a step was finishing")


# How the embedded mode's supervisor fails the attempts of a worker it saw die (the
# server accepts only application failures from a client): the same as a heartbeat
# timeout, seconds sooner.
WORKER_LOST = "WorkerLost"


def lost_worker(exc: ActivityError) -> bool:
    """Whether an activity failed because its worker stopped heartbeating or died."""
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type == WORKER_LOST:
        return True
    return isinstance(cause, ActivityTimeoutError) and cause.type == TimeoutType.HEARTBEAT


# A full output disk is not the step's fault either, and rendering again seconds later
# fails the same way: the workflow waits durably (the LLM answer is kept) and tries again.
DISK_FULL_FIRST_WAIT = timedelta(seconds=30)
DISK_FULL_MAX_WAIT = timedelta(minutes=10)
DISK_FULL_GIVE_UP = timedelta(hours=2)


def disk_full(exc: ActivityError) -> bool:
    """Whether an activity failed because the worker's output disk is full."""
    cause = exc.cause
    return isinstance(cause, ApplicationError) and cause.type == OUTPUT_DISK_FULL


async def run_step(
    step: Step, arg: Any, result_type: type[R], on_lost: Callable[[str], None] | None = None
) -> R:
    """Run one activity; reschedule it (boundedly) when the workers running it died, and
    after a wait when the output disk was full."""
    lost_rounds = 0
    wait, waited = DISK_FULL_FIRST_WAIT, timedelta(0)
    while True:
        try:
            result: R = await workflow.execute_activity(
                step.activity,
                arg,
                result_type=result_type,
                start_to_close_timeout=step.start_to_close,
                heartbeat_timeout=step.heartbeat,
                retry_policy=step.retry,
                cancellation_type=CANCEL,
            )
            end_if_cancelled()
            return result
        except ActivityError as exc:
            if not is_cancelled_exception(exc):  # failed (or lost) after the cancel
                end_if_cancelled()
            if disk_full(exc) and waited < DISK_FULL_GIVE_UP:
                if on_lost:
                    on_lost(f"{step.activity}: the output disk is full; trying again in "
                            f"{int(wait.total_seconds())} s")
                await workflow.sleep(wait)
                waited += wait
                wait = min(wait * 2, DISK_FULL_MAX_WAIT)
                continue
            if not lost_worker(exc) or lost_rounds == WORKER_LOSS_ROUNDS:
                raise
            lost_rounds += 1
            if on_lost:
                on_lost(f"{step.activity}: its workers kept dying; scheduling it again")
