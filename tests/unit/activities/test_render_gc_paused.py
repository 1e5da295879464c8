"""``create_pdf`` renders with the garbage collector paused in a child of the worker's CPU
pool: a deep report's render ran ~100 collections over the story reportlab holds, 8 % of
its CPU and on the report's critical path (docs/benchmarks.md, goal 3). In the worker's
own process (threads) the collector stays on: other threads allocate beside the render."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from durable_research.activities import pdf as pdf_module
from durable_research.activities import procwork
from durable_research.activities.pdf import PdfActivities
from durable_research.config import Settings
from durable_research.contract.report import CreatePdfInput, ReportContent
from tests.support.helpers import env_for

CONTENT = ReportContent(question="q", body_markdown="Findings.")


def _collector_during_render(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on while each report was rendered."""
    seen: list[bool] = []
    real = procwork.write_report

    def recorded(*args: object) -> list[Path]:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]  # write_report's own arguments

    monkeypatch.setattr(procwork, "write_report", recorded)
    return seen


async def test_create_pdf_sends_the_render_that_pauses_the_collector(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []

    async def recorded(func: Callable[..., object], *args: object) -> object:
        sent.append(func.__name__)
        return func(*args)

    monkeypatch.setattr(pdf_module, "in_process", recorded)
    settings = Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                        embedded="never")
    params = CreatePdfInput(content=CONTENT, basename="rep", formats=["md"])
    out = await env_for("report-1", "run-1").run(PdfActivities(settings).create_pdf, params)
    assert sent == ["render_report"]
    assert [Path(p).name for p in out.paths] == ["rep.md"]


def test_in_a_child_the_collector_is_paused_for_the_render_and_on_again_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _collector_during_render(monkeypatch)
    monkeypatch.setattr(procwork, "_IN_CHILD", True)
    assert gc.isenabled()
    (path,) = procwork.render_report(CONTENT, tmp_path, "rep", ["md"], False)
    assert seen == [False] and gc.isenabled() and path.name == "rep.md"


def test_in_the_workers_process_the_collector_stays_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _collector_during_render(monkeypatch)
    procwork.render_report(CONTENT, tmp_path, "rep", ["md"], False)
    assert seen == [True] and gc.isenabled()


def test_a_failed_render_turns_the_collector_on_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(procwork, "_IN_CHILD", True)
    with pytest.raises(ValueError, match="unknown report format"):
        procwork.render_report(CONTENT, tmp_path, "rep", ["odt"], False)
    assert gc.isenabled()
