"""Activities act only for workflows that are what their ids say (issue 25, finding 4).

A run's store folder comes from its workflow id, and ``<parent>/<name>`` is a child that
works in its parent's folder (contract/keys.py). Anyone holding the payload key can start a
workflow under any id, or run a worker of their own whose workflow schedules this
worker's activities on its task queue with inputs of its choosing; the workflow code's own
check (workflows/own_id.py) does not run there. So before an activity of an id with
``/`` runs, the worker asks the Temporal server whether that workflow run is a child of
the workflow its id names, up to a root: once per run and worker (one describe call for
each sub-question; roots, whose ids have no ``/``, cost nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from durable_research.contract.report import claimed_parent
from durable_research.errors import FOREIGN_RUN, FailureType

DESCRIBE_TIMEOUT = timedelta(seconds=10)
# Runs remembered as checked; a worker serves far fewer children at a time.
REMEMBERED_RUNS = 4096


def _refuse(why: str) -> ApplicationError:
    return ApplicationError(f"Refused to act: {why}", type=FOREIGN_RUN, non_retryable=True)


class RunChecker:
    """Checks, through the Temporal server, that a workflow run's id is its own."""

    def __init__(self, client: Client) -> None:
        """Check with ``client`` (the worker's)."""
        self._client = client
        self._checked: dict[tuple[str, str], None] = {}

    async def check(self, workflow_id: str | None, run_id: str | None) -> None:
        """Return when the run may act under ``workflow_id``.

        Raises:
            ApplicationError: Non-retryable ``ForeignRun``: not started by a workflow, or
                an id naming a parent that is not this run's parent; retryable when the
                server cannot answer.
        """
        if not workflow_id or not run_id:
            raise _refuse("this activity was not scheduled by a workflow")
        checked: list[tuple[str, str]] = []
        wid, rid = workflow_id, run_id
        while (parent := claimed_parent(wid)) is not None and (wid, rid) not in self._checked:
            actual_id, actual_run = await self._parent_of(wid, rid)
            if actual_id != parent or not actual_run:
                raise _refuse(f"the workflow {wid[:80]!r} is not a child of {parent[:80]!r} "
                              "('/' in a workflow id is reserved for sub-question workflows)")
            checked.append((wid, rid))
            wid, rid = parent, actual_run
        for run in checked:
            self._checked[run] = None
        while len(self._checked) > REMEMBERED_RUNS:
            del self._checked[next(iter(self._checked))]

    async def _parent_of(self, workflow_id: str, run_id: str) -> tuple[str | None, str | None]:
        handle = self._client.get_workflow_handle(workflow_id, run_id=run_id)
        try:
            desc = await handle.describe(rpc_timeout=DESCRIBE_TIMEOUT)
        except RPCError as exc:
            if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                raise _refuse(f"no workflow run {workflow_id[:80]!r}") from None
            raise ApplicationError(f"Cannot check workflow {workflow_id[:80]!r} with the "
                                   f"Temporal server: {exc.message}",
                                   type=FailureType.TEMPORAL_UNAVAILABLE) from None
        return desc.parent_id, desc.parent_run_id


class _Guarded(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, checker: RunChecker) -> None:  # noqa: A002 - temporalio's parameter name
        super().__init__(next)
        self._checker = checker

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:  # noqa: A002 - temporalio's parameter name
        info = activity.info()
        await self._checker.check(info.workflow_id, info.workflow_run_id)
        # ``next``, not super(): each frame goes into a failure's stack trace, and the
        # server keeps a retried attempt's last failure only up to 4 KB (an LLM error's
        # trace is close to it; tests/e2e/reports/test_workflow.py reads its Retry-After there).
        return await self.next.execute_activity(input)


class OwnRunsOnly(Interceptor):
    """Refuse every activity whose workflow's id claims a parent it does not have."""

    def __init__(self, client: Client) -> None:
        """Check runs with the worker's ``client``."""
        self.checker = RunChecker(client)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:  # noqa: A002 - temporalio's parameter name
        return _Guarded(super().intercept_activity(next), self.checker)
