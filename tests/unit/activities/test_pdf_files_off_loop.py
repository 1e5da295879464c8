"""``create_pdf`` reads the files it wrote, to put them in the store, outside the event loop:
it read each one in the loop (a disk wait for every other report's steps and heartbeats)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from durable_research.activities.pdf import PdfActivities
from durable_research.config import Settings
from durable_research.contract.report import CreatePdfInput, ReportContent
from tests.support.helpers import env_for


async def test_written_files_are_read_in_the_pool_and_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                        embedded="never")
    loop_thread = threading.get_ident()
    readers: list[int] = []
    read_bytes = Path.read_bytes

    def recorded(path: Path) -> bytes:
        if path.parent == settings.output_path:
            readers.append(threading.get_ident())
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", recorded)
    pdf = PdfActivities(settings)
    params = CreatePdfInput(content=ReportContent(question="q", body_markdown="Findings."),
                            basename="rep", formats=["md", "html"])
    out = await env_for("report-1", "run-1").run(pdf.create_pdf, params)

    assert len(readers) == 2
    assert loop_thread not in readers
    assert [pdf.store.get(key) for key in out.keys] == [
        Path(p).read_bytes() for p in out.paths]
