"""Research-only options (a plan to review, clarifying questions, page and site limits, the
agent) with no documents and no web search: refused when the worker is this machine's,
said when it may be a cluster's (client/prepare), on the page and in the API as in the
CLI. The API's ``review_plan: true`` started a report that completed as a single answer
without ever showing a plan (a new user's trial)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from durable_research.client.prepare import SINGLE_ANSWER_NOTE
from durable_research.web.views import started_notice
from tests.unit.web.test_email_without_smtp import cluster, here

__all__ = ["cluster", "here"]  # the fixtures: no web search here (SEARCH_PROVIDER=none)


def test_the_api_and_the_form_refuse_them_here(here: TestClient) -> None:
    api = here.post("/api/v1/reports", json={"question": "q", "review_plan": True})
    assert api.status_code == 400, api.text
    assert api.json()["error"].startswith("review_plan acts on research, but there is no "
                                          "web search (SEARCH_PROVIDER=none)"), api.json()
    assert "sources" not in api.json()["hint"]  # the API takes no documents
    form = here.post("/reports", data={"question": "q", "formats": "pdf", "web": "on",
                                       "clarify": "on"})
    assert form.status_code == 400
    assert "&#34;let the model ask me&#34; acts on research, but there is no web search" \
        in form.text, form.text


def test_a_clusters_worker_gets_them_with_a_note(cluster: TestClient) -> None:
    api = cluster.post("/api/v1/reports", json={"question": "q", "clarify": True})
    assert api.status_code == 201, api.text
    assert api.json()["notes"] == [SINGLE_ANSWER_NOTE]
    form = cluster.post("/reports", data={"question": "q", "formats": "pdf", "web": "on",
                                          "review_plan": "on"}, follow_redirects=False)
    assert form.status_code == 303
    done = form.headers["location"].split("?done=", 1)[1]
    assert started_notice(done) == ("Started. No web search and no documents here: the plan "
                                    "review, clarifying questions, page and site limits and "
                                    "the agent count only if the worker that runs the report "
                                    "searches the web (else it writes a single answer).")
