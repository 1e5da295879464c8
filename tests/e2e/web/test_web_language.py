"""The new-report form's Language field: shown, checked like --language, kept on a
mistake (the app in process, on the session's Temporal server)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from durable_research.config import Settings
from durable_research.web.app import create_app
from durable_research.web.context import WebContext

LOCAL = "http://127.0.0.1"
TOKEN = "t" * 40


def test_the_form_checks_the_language_and_keeps_it(settings: Settings) -> None:
    app = create_app(WebContext(settings=settings, token=TOKEN, loopback=True))
    with TestClient(app, base_url=LOCAL) as client:
        client.get(f"/?token={TOKEN}")
        page = client.get("/new").text
        assert 'name="language"' in page and 'placeholder="the question\'s language"' in page
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert found
        answer = client.post("/reports", data={
            "question": "Wie funktioniert Kernfusion?", "formats": "md", "depth": "quick",
            "language": "Klingon", "csrf_token": found.group(1)})
    assert answer.status_code == 400 and "Unknown language" in answer.text
    assert 'value="Klingon"' in answer.text  # nothing typed is lost
