"""client.files: a report file is read by format, only from its own run's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.client.files import read_report_file
from durable_research.config import Settings
from durable_research.contract.report import ReportResult
from durable_research.errors import ReportFileMissingError
from durable_research.store.factory import open_store


def test_a_report_file_comes_only_from_its_own_runs_keys(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    store = open_store(settings)
    store.put("runs/report-a/report/r1/a.md", b"# mine")
    store.put("runs/report-b/report/r2/b.pdf", b"%PDF other run")
    # A result naming another run's file (a forged or confused result) serves nothing.
    result = ReportResult(keys=["runs/report-b/report/r2/b.pdf",
                                "runs/report-a/report/r1/a.md"])
    assert read_report_file(settings, "report-a", result, "md").data == b"# mine"
    for fmt in ("pdf", "../report-b/report/r2/b.pdf", "html"):
        with pytest.raises(ReportFileMissingError, match="no .* file"):
            read_report_file(settings, "report-a", result, fmt)
    with pytest.raises(ReportFileMissingError):  # still running: no result yet
        read_report_file(settings, "report-a", None, "md")
