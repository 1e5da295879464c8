"""A report that refuses every decision: the refusal tests of each front end (the client
layer, CLI, HTTP API and page, MCP) share it, so they differ only in what they print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from durable_research.client import updates
from durable_research.client.reports import RUNNING
from durable_research.contract.report import ReportStatus


class RefusingReport:
    """A Temporal client, its workflow handle and a CLI connection at once, whose report
    refuses every Update with :attr:`cause` (set by the test)."""

    def __init__(self, cause: BaseException | None = None) -> None:
        self.cause: BaseException = cause or ApplicationError("unset")
        self.client = self  # a connection's client

    def get_workflow_handle(self, workflow_id: str) -> RefusingReport:
        return self

    async def execute_update(self, *_: object, **__: object) -> Any:
        raise WorkflowUpdateFailedError(self.cause)


@dataclass
class RunningState:
    """What describing the report says: it runs, on the default task queue (and, when
    ``query`` is set, its ``status`` query answers that)."""

    status: str = RUNNING
    task_queue: str = "research"
    query: ReportStatus | None = None


async def running_state(*_: object, **__: object) -> RunningState:
    return RunningState()


def report_runs_with_a_worker(monkeypatch: pytest.MonkeyPatch,
                              waiting: ReportStatus | None = None) -> None:
    """The client layer finds the report running and a worker polling: only the Update
    itself is refused. ``waiting``: what the report's ``status`` query answers (its step
    and clarifying questions); unset, no worker answers the query."""

    async def worker(*_: object, **__: object) -> None:
        return None

    async def state(*_: object, **__: object) -> RunningState:
        return RunningState(query=waiting)

    monkeypatch.setattr(updates, "describe_report", state)
    monkeypatch.setattr(updates, "require_worker", worker)
