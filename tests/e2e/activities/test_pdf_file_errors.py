"""``create_pdf``'s file errors in the worker's process pool reach the report as one
non-retryable line naming the path: an output folder that became a file after the start
(FileExistsError in the child) was retried, attempt after attempt, as a bare
"FileExistsError: [Errno 17] File exists"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.exceptions import ApplicationError

from durable_research.activities.pdf import PdfActivities
from durable_research.config import Settings
from durable_research.contract.report import CreatePdfInput, ReportContent
from durable_research.errors import FailureType
from tests.support.cpu_pool import warm_pool
from tests.support.helpers import env_for


@pytest_asyncio.fixture
async def pool() -> AsyncIterator[None]:
    async with warm_pool(1):
        yield


async def test_an_output_folder_that_became_a_file(tmp_path: Path, pool: None) -> None:
    settings = Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                        embedded="never")
    folder = settings.output_path / "mine"
    folder.parent.mkdir(parents=True)
    folder.write_text("not a folder")
    params = CreatePdfInput(content=ReportContent(question="q", body_markdown="Findings."),
                            basename="rep", formats=["md"], output_dir=str(folder))
    with pytest.raises(ApplicationError) as failed:
        await env_for("report-1", "run-1").run(PdfActivities(settings).create_pdf, params)
    err = failed.value
    assert err.non_retryable and err.type == FailureType.OUTPUT_NOT_WRITABLE
    assert err.message == (f"Cannot write the report to {folder}: File exists (it is not a "
                           "folder)"), err.message
