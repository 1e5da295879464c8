"""The address a refused new-report form leaves in the browser opens the reports. Found
in a new user's trial in Chromium: the form posts to /reports, so after a refusal ("No
question to research your documents with") the address bar showed /reports, and opening
it again (Enter in the address bar, a bookmark, a copied link) answered 405 "Method Not
Allowed"."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.testing.ports import free_port
from tests.support.api_client import web_client


def test_opening_the_forms_address_goes_to_the_reports(tmp_path: Path) -> None:
    settings = Settings(temporal_address=f"127.0.0.1:{free_port()}",
                        data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF)
    with web_client(settings) as client:
        answer = client.get("/reports", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"


@pytest.mark.parametrize("form", ["review", "plan", "answers", "cancel"])
def test_opening_a_report_forms_address_goes_to_the_report(tmp_path: Path, form: str) -> None:
    """A refused review, plan review or answers shows the report page under the form's
    address (/reports/ID/review ...), which answered 405 when opened again."""
    settings = Settings(temporal_address=f"127.0.0.1:{free_port()}",
                        data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF)
    with web_client(settings) as client:
        answer = client.get(f"/reports/report-0123456789ab/{form}", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/reports/report-0123456789ab"
