"""A followed report's server that stops answering is a snapshot of its own (the front
ends say so), and answering again is another: the watch used to skip such rounds
silently, so `research run` printed nothing while the server was gone."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator

import pytest

from durable_research.client.reports import ReportState
from durable_research.contract.report import RunStatus
from durable_research.errors import TemporalUnavailableError

# The module (the package's ``watch`` is its function).
watch_module = importlib.import_module("durable_research.client.watch")
ID = "report-0123456789ab"


def test_an_unreachable_server_is_a_snapshot_and_so_is_its_return(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gone = TemporalUnavailableError("The Temporal server did not answer within 4 s")
    answers: Iterator[ReportState | Exception] = iter([
        ReportState(ID, RunStatus.RUNNING), gone, gone,
        ReportState(ID, RunStatus.RUNNING), ReportState(ID, RunStatus.COMPLETED)])

    async def describe(*_: object, **__: object) -> ReportState:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def never_closes(*_: object) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(watch_module, "describe_report", describe)
    monkeypatch.setattr(watch_module, "_closed", never_closes)

    async def snapshots() -> list[ReportState]:
        return [s async for s in watch_module.watch(object(), ID, 0.001)]

    seen = asyncio.run(snapshots())
    assert [(s.status, s.unreachable) for s in seen] == [
        (RunStatus.RUNNING, ""),
        (RunStatus.RUNNING, "The Temporal server did not answer within 4 s"),
        (RunStatus.RUNNING, ""),
        (RunStatus.COMPLETED, ""),
    ]
