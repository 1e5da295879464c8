"""A report's refusal of an Update reads as its handler's words, without the failure's
type name in front ("Answers not accepted: WrongState: This report is not waiting...")."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.client import updates
from durable_research.errors import FailureType, UserError, WrongStateError
from tests.support.refusing import RefusingReport, report_runs_with_a_worker


@pytest.fixture(autouse=True)
def _running(monkeypatch: pytest.MonkeyPatch) -> None:
    report_runs_with_a_worker(monkeypatch)


def _refusal(cause: BaseException) -> UserError:
    with pytest.raises(UserError) as exc:
        asyncio.run(updates.run_update(RefusingReport(cause), "report-1", "answer", [],  # type: ignore[arg-type]  # only get_workflow_handle is used
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
