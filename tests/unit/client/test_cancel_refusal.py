"""Cancelling a report that has ended says there is nothing to cancel and where to look
(it said only "Workflow X is not running (status: completed)")."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from durable_research.client import reports
from durable_research.errors import WrongStateError


@dataclass
class Ended:
    status: str = "completed"


def test_an_ended_report_is_refused_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    async def describe(*_: object, **__: object) -> Ended:
        return Ended()

    monkeypatch.setattr(reports, "describe_report", describe)
    with pytest.raises(WrongStateError) as exc:
        asyncio.run(reports.cancel_report(object(), "report-1"))  # type: ignore[arg-type]  # not reached
    assert exc.value.message == "Workflow report-1 is not running (status: completed)"
    assert exc.value.hint == "nothing to cancel; `research status report-1` shows how it ended"
