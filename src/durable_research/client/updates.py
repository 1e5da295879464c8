"""Updates to a running report (review, plan review, budget): one way to send them."""

from __future__ import annotations

from typing import TypeVar

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from durable_research.client.refusals import DECISION_AT_STEP
from durable_research.client.reports import RUNNING, describe_report
from durable_research.client.workers import require_worker
from durable_research.contract.report import ReportStep
from durable_research.contract.review import UPDATE_ANSWER_QUESTIONS
from durable_research.errors import (
    DecisionRefusedError,
    DecisionWrongStateError,
    FailureType,
    Refusal,
    ReportEndedError,
    UserError,
    root_cause,
)

T = TypeVar("T")


async def run_update(client: Client, workflow_id: str, name: str, arg: object,
                     result_type: type[T], refused: str) -> T:
    """Send the Update ``name`` to a running report and wait for its answer.

    Refuses at once, instead of hanging, when the report has ended or no worker polls
    its task queue.

    Args:
        refused: How a refusal starts, e.g. ``"Review not accepted"``.

    Raises:
        WorkflowNotFoundError: The report does not exist.
        ReportEndedError: It has ended.
        DecisionWrongStateError: It is not at the step the Update is for.
        NoWorkerError: No worker polls its task queue.
        DecisionRefusedError: Its handler rejected the Update's argument (the workflow's
            reason follows ``refused``). Each front end words the hint of both
            (``client.refusals``).
    """
    state = await describe_report(client, workflow_id, with_query=False)
    if state.status != RUNNING:
        raise ReportEndedError(f"{refused}: report {workflow_id} is not running any more "
                               f"(status: {state.status})", workflow_id)
    await require_worker(client, workflow_id, state.task_queue)
    handle = client.get_workflow_handle(workflow_id)
    try:
        done: T = await handle.execute_update(name, arg, result_type=result_type)
        return done
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        wrong_state = (isinstance(cause, ApplicationError)
                       and cause.type == FailureType.WRONG_STATE)
        # The handler's own words: an ApplicationError prints its type first ("WrongState:
        # This report is not waiting for answers"), a name the user has no use for.
        reason = (cause.message if isinstance(cause, ApplicationError) and cause.message
                  else root_cause(exc))
        if wrong_state:
            waiting, asked = await _waiting_for(client, workflow_id)
            raise DecisionWrongStateError(
                f"{refused}: {reason}", Refusal(name, workflow_id, asked, waiting)) from None
        raise DecisionRefusedError(
            f"{refused}: {reason}", Refusal(name, workflow_id, _asked(name, cause))) from None
    except RPCError as exc:
        raise UserError(f"{refused}: {exc.message}") from None


async def _waiting_for(client: Client, workflow_id: str) -> tuple[str, int]:
    """The decision a report that refused one out of turn waits for instead, and how many
    questions it asked: ("", 0) when it waits for none or no worker answers the query."""
    try:
        query = (await describe_report(client, workflow_id, with_query=True)).query
    except UserError:  # gone meanwhile: the refusal stands without the pointer
        return "", 0
    if query is None:
        return "", 0
    try:
        waiting = DECISION_AT_STEP.get(ReportStep(query.step), "")
    except ValueError:  # a step this client does not know waits for nothing it can send
        return "", 0
    return waiting, len(query.questions) if waiting == UPDATE_ANSWER_QUESTIONS else 0


def _asked(name: str, cause: BaseException | None) -> int:
    """How many questions a report that refused answers asked: the validator's detail
    (0: not said, as by workers from before it said it)."""
    if name != UPDATE_ANSWER_QUESTIONS or not isinstance(cause, ApplicationError):
        return 0
    detail = cause.details[0] if cause.details else None
    return detail if isinstance(detail, int) and not isinstance(detail, bool) else 0
