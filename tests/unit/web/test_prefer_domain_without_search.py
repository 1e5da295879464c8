"""Preferred web sites with no web search: refused when the worker is this machine's, said
when it may be a cluster's (client/prepare), on the page and in the API as in the CLI;
they were accepted and did nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from durable_research.client.options import Spelling
from durable_research.client.prepare import prefer_domain_note
from durable_research.web.views import NOTICES, started_notice
from tests.unit.web.test_email_without_smtp import cluster, here

__all__ = ["cluster", "here"]  # the fixtures: no web search here (SEARCH_PROVIDER=none)


def test_the_api_and_the_form_refuse_it_here(here: TestClient) -> None:
    api = here.post("/api/v1/reports", json={"question": "q", "prefer_domains": ["sqlite.org"]})
    assert api.status_code == 400, api.text
    assert api.json()["error"] == ("prefer_domains ranks web pages, but there is no web "
                                   "search (SEARCH_PROVIDER=none)"), api.json()
    form = here.post("/reports", data={"question": "q", "formats": "pdf", "web": "on",
                                       "prefer_domains": "sqlite.org"})
    assert form.status_code == 400
    assert "&#34;Preferred web sites&#34; ranks web pages, but there is no web search" \
        in form.text, form.text


def test_a_clusters_worker_gets_it_with_a_note(cluster: TestClient) -> None:
    api = cluster.post("/api/v1/reports", json={"question": "q",
                                                "prefer_domains": ["sqlite.org"]})
    assert api.status_code == 201, api.text
    assert api.json()["notes"] == [prefer_domain_note(Spelling.API)]
    form = cluster.post("/reports", data={"question": "q", "formats": "pdf", "web": "on",
                                          "prefer_domains": "sqlite.org"},
                        follow_redirects=False)
    assert form.status_code == 303
    # Not the e-mail's notice: the page said "SMTP_HOST is not set" of any note.
    done = form.headers["location"].split("?done=", 1)[1]
    assert started_notice(done) == f"Started. {prefer_domain_note(Spelling.FORM)}."
    assert "SMTP_HOST" not in started_notice(done)


def test_the_notices_are_fixed_texts() -> None:
    assert started_notice("started-mail-elsewhere,started-prefer-elsewhere").count(
        "Started.") == 1
    assert started_notice("anything else") == "" and started_notice("") == ""
    assert all("," not in key for key in NOTICES)
