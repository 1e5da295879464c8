"""The .docx report opens in a real word processor: LibreOffice converts it to PDF.

One conversion for the module (soffice takes seconds to start), with a private profile
so it never touches, or waits for, anybody's own LibreOffice settings.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from durable_research.document.render import ABOUT_HEADING, REFERENCES_HEADING
from durable_research.layout import write_report
from tests.support.pdftools import pdf_file_text
from tests.support.sample_report import SAMPLE_REPORT

CONVERT_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def converted_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer-nogui, "
                    "scripts/apt-packages.txt)")
    folder = tmp_path_factory.mktemp("docx")
    (path,) = write_report(SAMPLE_REPORT, folder, "report", formats=("docx",))
    profile = (folder / "profile").as_uri()
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False)
    pdf = Path(folder / "report.pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stdout + proc.stderr
    return pdf_file_text(str(pdf))


def test_headings_citations_and_tables_survive(converted_text: str) -> None:
    text = converted_text
    for heading in ("Tardigrades", "Findings", REFERENCES_HEADING, ABOUT_HEADING):
        assert heading in text
    assert "Water bears survive [1]" in text  # a citation
    assert "Another source says" in text and "Vacuum is lethal." in text  # table cells
    assert "if a < b:" in text
