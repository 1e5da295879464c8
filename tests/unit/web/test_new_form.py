"""The new-report form a new user reads: its documents field names every type it takes
(found in a new user's trial: the label said "Markdown, text, HTML, PDF" while the
field accepts, and research reads, Word, PowerPoint, Excel and EPUB too; the CLI's
``--sources`` help names them all)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.research.extract import SUPPORTED_SUFFIXES
from durable_research.testing.ports import free_port
from tests.support.api_client import web_client

# How the form names each type (other spellings of one: .markdown, .text, .htm).
NAMES = {".md": "Markdown", ".txt": "text", ".html": "HTML", ".pdf": "PDF", ".docx": "Word",
         ".pptx": "PowerPoint", ".xlsx": "Excel", ".epub": "EPUB"}
ALIASES = {".markdown", ".text", ".htm"}


def _client(tmp_path: Path) -> TestClient:
    # Nothing listens at its Temporal address: no report can start anywhere.
    settings = Settings(temporal_address=f"127.0.0.1:{free_port()}",
                        data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF,
                        search_provider="none")
    return web_client(settings)


def _new_page(tmp_path: Path) -> str:
    with _client(tmp_path) as client:
        answer = client.get("/new")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_documents_label_names_every_type_the_field_accepts(tmp_path: Path) -> None:
    assert set(SUPPORTED_SUFFIXES) - ALIASES == set(NAMES)  # a new type: name it here
    page = _new_page(tmp_path)
    label = re.search(r'<label for="sources">([^<]*)</label>', page)
    assert label is not None, page
    assert [name for name in NAMES.values() if name not in label.group(1)] == []


def test_no_web_search_and_no_documents_is_refused_on_the_form(tmp_path: Path) -> None:
    """The form's "Also search the web" unticked and no document chosen: refused with the
    CLI's message (the same check, client.research.with_research), nothing started."""
    with _client(tmp_path) as client:
        form = client.post("/reports", data={"question": "q", "formats": "pdf"})
        api = client.post("/api/v1/reports", json={"question": "q", "web": False})
    assert form.status_code == 400 and "nothing to research" in form.text
    assert api.status_code == 400 and "nothing to research" in api.json()["error"]
