"""A report's refusal of an Update reads as its handler's words, without the failure's
type name in front ("Answers not accepted: WrongState: This report is not waiting...")."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from durable_research.client import updates
from durable_research.client.reports import RUNNING
from durable_research.errors import FailureType, UserError, WrongStateError


@dataclass
class State:
    status: str = RUNNING
    task_queue: str = "research"


class Handle:
    def __init__(self, cause: BaseException) -> None:
        self.cause = cause

    async def execute_update(self, *_: object, **__: object) -> Any:
        raise WorkflowUpdateFailedError(self.cause)


class FakeClient:
    def __init__(self, cause: BaseException) -> None:
        self.handle = Handle(cause)

    def get_workflow_handle(self, workflow_id: str) -> Handle:
        return self.handle


@pytest.fixture(autouse=True)
def _running(monkeypatch: pytest.MonkeyPatch) -> None:
    async def describe(*_: object, **__: object) -> State:
        return State()

    async def worker(*_: object, **__: object) -> None:
        return None

    monkeypatch.setattr(updates, "describe_report", describe)
    monkeypatch.setattr(updates, "require_worker", worker)


def _refusal(cause: BaseException) -> UserError:
    with pytest.raises(UserError) as exc:
        asyncio.run(updates.run_update(FakeClient(cause), "report-1", "answer", [],  # type: ignore[arg-type]  # only get_workflow_handle is used
                                       list, "Answers not accepted"))
    return exc.value


def test_a_wrong_state_refusal_has_no_type_name() -> None:
    refusal = _refusal(ApplicationError("This report is not waiting for answers",
                                        type=FailureType.WRONG_STATE))
    assert isinstance(refusal, WrongStateError)
    assert refusal.message == "Answers not accepted: This report is not waiting for answers"


def test_an_untyped_refusal_reads_the_same() -> None:
    refusal = _refusal(ApplicationError("Give at least one new cap to raise"))
    assert not isinstance(refusal, WrongStateError)
    assert refusal.message == "Answers not accepted: Give at least one new cap to raise"
