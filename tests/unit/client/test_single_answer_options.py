"""client.prepare_report: research-only options on a report that will be a single answer.

Found in a new user's trial: offline, with no ``--sources``, ``research start "q"
--review-plan`` (and ``--clarify``, ``--max-pages 3``, the API's ``review_plan: true``)
started, made its one LLM call and completed without a plan to review or a question
asked: the options were accepted and did nothing, while ``--depth quick --review-plan``
is refused for the same reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from durable_research.client import options as opt
from durable_research.client import research as cr
from durable_research.client.prepare import SINGLE_ANSWER_NOTE, ReportRequest, prepare_report
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.errors import UserError


def _offline(tmp_path: Path) -> Settings:
    """No search provider and DuckDuckGo never taken: no web search here."""
    return Settings(store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                    search_ddgs_probe=DDGS_PROBE_OFF, search_provider="none")


def _here(_settings: Settings) -> bool:
    return True


RESEARCH_ONLY = [
    (cr.ResearchOptions(review_plan=True), "--review-plan"),
    (cr.ResearchOptions(clarify=True), "--clarify"),
    (cr.ResearchOptions(max_pages="3"), "--max-pages"),
    (cr.ResearchOptions(allow_domains=["sqlite.org"]), "--allow-domain"),
    (cr.ResearchOptions(deny_domains=["spam.example"]), "--deny-domain"),
    (cr.ResearchOptions(agent=True), "--agent"),
    (cr.ResearchOptions(max_steps="5"), "--max-steps"),
]


@pytest.mark.parametrize(("options", "name"), RESEARCH_ONLY)
def test_research_options_without_any_source_are_refused(tmp_path: Path,
                                                         options: cr.ResearchOptions,
                                                         name: str) -> None:
    with pytest.raises(UserError) as refused:
        asyncio.run(prepare_report(_offline(tmp_path), ReportRequest("How does WAL work?",
                                   research=options), workers_here=_here))
    message, hint = refused.value.message, refused.value.hint
    assert message.startswith(f"{name} acts on research, but there is no web search"), message
    assert "SEARCH_PROVIDER" in message  # why there is none: the choice's reason
    assert "single answer" in message
    assert f"drop {name}" in hint and "--sources PATH" in hint, hint


def test_the_refusal_names_the_option_as_each_front_end_spells_it(tmp_path: Path) -> None:
    for spelling, name in ((opt.Spelling.API, "review_plan"),
                           (opt.Spelling.FORM, '"review the research plan"')):
        with pytest.raises(UserError) as refused:
            asyncio.run(prepare_report(_offline(tmp_path), ReportRequest(
                "How does WAL work?", research=cr.ResearchOptions(
                    review_plan=True, spelling=spelling)), workers_here=_here))
        assert refused.value.message.startswith(f"{name} acts on research"), \
            refused.value.message
    # The HTTP API takes no documents: its hint does not ask for them.
    with pytest.raises(UserError) as api:
        asyncio.run(prepare_report(_offline(tmp_path), ReportRequest(
            "q", research=cr.ResearchOptions(clarify=True, spelling=opt.Spelling.API)),
            workers_here=_here))
    assert "sources" not in api.value.hint, api.value.hint


def test_several_options_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(UserError) as refused:
        asyncio.run(prepare_report(_offline(tmp_path), ReportRequest("q", research=(
            cr.ResearchOptions(review_plan=True, clarify=True))), workers_here=_here))
    assert "drop --review-plan/--clarify" in refused.value.hint, refused.value.hint


def test_a_worker_elsewhere_may_search_the_web_so_it_is_said(tmp_path: Path) -> None:
    prepared = asyncio.run(prepare_report(_offline(tmp_path), ReportRequest(
        "q", research=cr.ResearchOptions(review_plan=True))))
    assert prepared.params.review_plan
    assert prepared.notes == [SINGLE_ANSWER_NOTE]
    assert SINGLE_ANSWER_NOTE.startswith("no web search and no documents here")


def test_with_a_source_the_options_stand(tmp_path: Path) -> None:
    async def ingest() -> cr.PreparedSources:
        return cr.PreparedSources(collection="docs", documents=1, names=["a.md"])

    documents = asyncio.run(prepare_report(_offline(tmp_path), ReportRequest(
        "q", research=cr.ResearchOptions(sources=["a.md"], review_plan=True, clarify=True)),
        ingest, workers_here=_here))
    assert documents.params.review_plan and documents.params.clarify
    assert documents.notes == []
    web = replace(_offline(tmp_path), search_provider="searxng",
                  searxng_url="http://127.0.0.1:9")
    searching = asyncio.run(prepare_report(web, ReportRequest(
        "q", research=cr.ResearchOptions(review_plan=True, max_pages="3")),
        workers_here=_here))
    assert searching.params.review_plan and searching.notes == []
    # Nothing research-only asked for: the single answer is what the user gets, as before.
    plain = asyncio.run(prepare_report(_offline(tmp_path), ReportRequest("q"),
                                       workers_here=_here))
    assert plain.notes == [] and not plain.params.review_plan
