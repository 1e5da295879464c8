"""client.prepare_report: the one validation CLI and web share (options, then documents)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from durable_research.client import options as opt
from durable_research.client import research as cr
from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.contract.research import DdgsReach
from durable_research.errors import UserError
from durable_research.research.reachability import Probe


def _settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                    search_ddgs_probe=DDGS_PROBE_OFF)


def test_valid_request_becomes_input_without_ingesting(tmp_path: Path) -> None:
    calls: list[str] = []

    async def ingest() -> cr.PreparedSources:
        calls.append("ingest")
        return cr.PreparedSources()

    prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
        "  What is WAL?  ", formats="md,pdf",
        research=cr.ResearchOptions(depth="Deep", deny_domains=["https://Spam.example/x"])),
        ingest))
    p = prepared.params
    assert p.prompt == "What is WAL?" and p.formats == ["pdf", "md"]
    assert p.depth == "deep" and p.deny_domains == ["spam.example"]
    assert calls == []  # no sources: nothing to ingest


def test_options_are_checked_before_documents_are_read(tmp_path: Path) -> None:
    calls: list[str] = []

    async def ingest() -> cr.PreparedSources:
        calls.append("ingest")
        return cr.PreparedSources()

    for bad in (ReportRequest("q", formats="odt"),
                ReportRequest("q", research=cr.ResearchOptions(sources=["a.md"], depth="quick")),
                ReportRequest("q", research=cr.ResearchOptions(sources=["a.md"], depth="huge"))):
        with pytest.raises(UserError):
            asyncio.run(prepare_report(_settings(tmp_path), bad, ingest))
    assert calls == []


def test_documents_are_ingested_and_checked(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text("# FAQ\n\nWAL means write-ahead logging.\n", encoding="utf-8")
    settings = _settings(tmp_path)
    prepared = asyncio.run(prepare_report(settings, ReportRequest(
        "q", research=cr.ResearchOptions(sources=[str(docs)], prefer_paths=["faq.md"]))))
    assert prepared.sources.documents == 1 and prepared.sources.names == ["faq.md"]
    assert prepared.params.collection == prepared.sources.collection != ""
    assert prepared.params.prefer_paths == ["faq.md"]
    with pytest.raises(UserError, match="matches no document"):
        asyncio.run(prepare_report(settings, ReportRequest(
            "q", research=cr.ResearchOptions(sources=[str(docs)], prefer_paths=["nope.md"]))))


def _probe(finding: DdgsReach, calls: list[str]) -> Probe:
    async def probe(settings: Settings) -> DdgsReach:
        calls.append("probe")
        return finding

    return probe


@pytest.mark.parametrize(("finding", "provider"), [(DdgsReach.ANSWERS, "ddgs"),
                                                   (DdgsReach.UNREACHABLE, "")])
def test_the_probe_finding_goes_to_the_workers(tmp_path: Path, finding: DdgsReach,
                                               provider: str) -> None:
    """Probed once, here: the input carries what it found, and the front end the line."""
    calls: list[str] = []
    prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest("q"),
                                          probe=_probe(finding, calls)))
    assert calls == ["probe"] and prepared.params.ddgs_reach == finding
    assert prepared.web_search is not None and prepared.web_search.provider == provider


@pytest.mark.parametrize("options", [cr.ResearchOptions(depth="quick"),
                                     cr.ResearchOptions(sources=["a.md"], web=False)])
def test_no_probe_for_a_report_without_the_web(tmp_path: Path,
                                               options: cr.ResearchOptions) -> None:
    calls: list[str] = []

    async def ingest() -> cr.PreparedSources:
        return cr.PreparedSources(collection="docs", documents=1, names=["a.md"])

    prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
        "q", research=options), ingest, probe=_probe(DdgsReach.ANSWERS, calls)))
    assert calls == [] and prepared.web_search is None
    assert prepared.params.ddgs_reach == DdgsReach.UNCHECKED


def test_a_provider_without_its_key_is_refused_before_starting(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path), search_provider="tavily")
    with pytest.raises(UserError, match="TAVILY_API_KEY is not set"):
        asyncio.run(prepare_report(settings, ReportRequest("q")))


def test_a_blank_email_is_no_choice(tmp_path: Path) -> None:
    # The page's empty field and the API's "" mean the same: the settings' EMAIL_TO.
    for email in ("", "   ", None):
        prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
            "q", email=email, research=cr.ResearchOptions(depth="quick"))))
        assert prepared.params.email_to == ""
    prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
        "q", email=" ann@example.org ", research=cr.ResearchOptions(depth="quick"))))
    assert prepared.params.email_to == "ann@example.org"


def test_documents_without_a_question_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """An empty question means the demo question ("5 fun facts about tardigrades"), which
    is no question to ask of the user's own documents (found in a new user's trial: an
    empty question researched tardigrades in a folder of database docs)."""
    calls: list[str] = []

    async def ingest() -> cr.PreparedSources:
        calls.append("ingest")
        return cr.PreparedSources()

    for blank in ("", "   \n"):
        with pytest.raises(UserError, match="No question to research your documents"):
            asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
                blank, research=cr.ResearchOptions(sources=["a.md"], web=False)), ingest))
    assert calls == []
    # Without documents, the demo question stays the empty question's meaning.
    prepared = asyncio.run(prepare_report(_settings(tmp_path), ReportRequest(
        "", research=cr.ResearchOptions(depth="quick")), ingest))
    assert "tardigrades" in prepared.params.prompt


def _prefer_sqlite(spelling: opt.Spelling = opt.Spelling.CLI) -> ReportRequest:
    return ReportRequest("How does WAL work?", research=cr.ResearchOptions(
        prefer_domains=["sqlite.org"], spelling=spelling))


def test_prefer_domain_without_web_search_here_is_refused(tmp_path: Path) -> None:
    """``--prefer-domain`` with no search provider was accepted and did nothing: the
    report searched no web, so nothing was ranked (``--no-web`` already refused it)."""
    settings = replace(_settings(tmp_path), search_provider="none")
    with pytest.raises(UserError) as refused:
        asyncio.run(prepare_report(settings, _prefer_sqlite(),
                                   workers_here=lambda _s: True))
    assert refused.value.message.startswith("--prefer-domain ranks web pages, but there is "
                                            "no web search"), refused.value.message
    assert "SEARCH_PROVIDER" in refused.value.message  # why: the choice's reason
    assert "drop --prefer-domain" in refused.value.hint
    with pytest.raises(UserError, match="^prefer_domains ranks"):
        asyncio.run(prepare_report(settings, _prefer_sqlite(opt.Spelling.API),
                                   workers_here=lambda _s: True))


def test_prefer_domain_with_a_worker_elsewhere_is_said(tmp_path: Path) -> None:
    """A cluster's worker may search the web although this machine cannot: said, not
    refused (as an e-mail without SMTP_HOST here)."""
    settings = replace(_settings(tmp_path), search_provider="none")
    prepared = asyncio.run(prepare_report(settings, _prefer_sqlite()))
    assert prepared.params.prefer_domains == ["sqlite.org"]
    assert any(n.startswith("--prefer-domain: no web search here") for n in prepared.notes), \
        prepared.notes
    searching = asyncio.run(prepare_report(
        replace(settings, search_provider="searxng", searxng_url="http://127.0.0.1:9"),
        _prefer_sqlite(), workers_here=lambda _s: True))
    assert searching.notes == []
