"""Research reports end to end: real dev server, fake LLM, fake SearXNG, fixture site."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from temporalio.client import Client, WorkflowHandle

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.contract.keys import text_key
from durable_research.contract.llm import AnswerSchema
from durable_research.contract.report import ReportStatus, ReportStep
from durable_research.contract.research import Budget
from durable_research.contract.review import PlanReviewInput, RaiseBudgetInput
from durable_research.errors import UserError
from durable_research.research import prompts
from durable_research.research.citations import cited_sentences
from durable_research.research.types import SubResearchInput
from durable_research.store.factory import open_store
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite, write_fixture_documents
from durable_research.testing.search_server import SearchServer
from durable_research.worker.build import build_worker
from tests.support.helpers import completed_activities, run_report, start, wait_for_step
from tests.support.pdftools import pdf_file_text


async def history_json(handle: WorkflowHandle[Any, Any]) -> tuple[int, str]:
    """Number of events and the JSON of a workflow's whole history."""
    history = await handle.fetch_history()
    return len(history.events), history.to_json()


async def test_research_report_cites_checked_sources(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite
) -> None:
    s = research_settings
    async with build_worker(client, s):
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["pdf", "md"])
        result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed"
    assert result.sources_used == "searxng"
    assert len(result.references) >= 3
    v = result.verification
    assert v is not None and v.checked >= 3
    assert v.supported == v.checked, v.unsupported  # the fake quotes its sources exactly
    # The plan and every notes call asked for their JSON schema; free-text calls did not.
    asked = fake_llm.schemas_by_task
    assert asked[prompts.TASK_PLAN] == [AnswerSchema.PLAN]
    assert set(asked[prompts.TASK_NOTES]) == {AnswerSchema.NOTES}
    assert set(asked[prompts.TASK_SECTION]) == {""}
    md = Path(next(p for p in result.paths if p.endswith(".md"))).read_text()
    assert "## References" in md or "References" in md
    assert fixture_site.base_url in md
    text = pdf_file_text(result.pdf_path)
    assert "References" in text and "Citations checked" in text
    # Page texts stay out of the history: a sentence only the pages contain (past the
    # search engine's snippet, which the report's history holds since it searches every
    # sub-question's first round itself) is absent; so are most events (the first
    # rounds' searches and fetches are the report's since "notes-in-plan-order").
    events, raw = await history_json(handle)
    assert "first animals known to survive" not in raw and events < 230
    # Each page was fetched once, robots.txt once per host.
    assert fixture_site.hits("/robots.txt") == 1
    for page in fixture_site.articles():
        path = "/" + page.url.split("/", 3)[3]
        assert fixture_site.hits(path) <= 1


async def test_waiting_subquestion_is_gathered_ahead(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite,
    search_server: SearchServer,
) -> None:
    """The standard preset runs 3 of the 4 planned sub-questions at once: the parent searches
    and fetches the 4th's first round while they run, and the 4th starts from it (the
    first three's too, before they start: "notes-in-plan-order")."""
    from durable_research.workflows.report import GenerateReportWorkflow

    s = research_settings
    search_server.reset()
    # Notes take a while, as with a real model: the gathering ahead begins when the first
    # sub-questions are taking notes and is done before a slot frees.
    fake_llm.configure(task_delays={prompts.TASK_NOTES: 1.0})
    async with build_worker(client, s):
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["md"])
        result = await asyncio.wait_for(handle.result(), timeout=120)
        parent = await completed_activities(handle)
        fourth = await completed_activities(client.get_workflow_handle(f"{handle.id}/q4"))
        firsts = [await completed_activities(client.get_workflow_handle(f"{handle.id}/q{i}"))
                  for i in (1, 2, 3)]
        status = await handle.query(GenerateReportWorkflow.status)
    assert result.status == "completed" and result.references
    # One search and one page-fetching activity for each sub-question's round, all the
    # report's: the children take notes.
    assert parent.count("search") == 4 and parent.count("fetch_pages") == 4
    for acts in [*firsts, fourth]:
        assert "search" not in acts and "fetch_pages" not in acts and "take_notes" in acts
    assert "fetch_page" not in parent
    queries = search_server.queries
    assert len(queries) == 4 and len(set(queries)) == 4  # nothing searched twice
    for page in fixture_site.articles():
        assert fixture_site.hits("/" + page.url.split("/", 3)[3]) <= 1
    # Its sources are cited like the others': the child counted the pages it was handed.
    assert status.research is not None and status.research.subs[3].fetched >= 1


async def test_wrong_citations_are_caught(
    client: Client, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    """Every 2nd sentence cites the wrong source: the check must flag them, not the others."""
    fake_llm.configure(wrong_every=2)
    s = research_settings
    async with build_worker(client, s):
        result = await run_report(client, s, prompt="Tell me about tardigrades.",
                                  depth="standard", formats=["md"])
    v = result.verification
    assert v is not None and v.unsupported
    # Ground truth from the store: a sentence is wrongly cited when its source lacks it.
    store = open_store(s)
    md = Path(result.paths[0]).read_text()
    refs = {r.n: r.content_hash for r in result.references}
    wrong = flagged = both = 0
    for sent in cited_sentences(md.split("## References")[0]):
        n = sent.cites[0]
        source = " ".join(store.get(text_key(refs[n])).decode().split()) if n in refs else ""
        is_wrong = sent.sentence.rstrip(".") not in source
        is_flagged = "[unverified]" in sent.raw
        wrong += is_wrong
        flagged += is_flagged
        both += is_wrong and is_flagged
    precision, recall = both / max(flagged, 1), both / max(wrong, 1)
    print(f"checker on the pipeline: precision {precision:.2f}, recall {recall:.2f} "
          f"({wrong} wrong citations among the cited sentences)")
    assert wrong and flagged == len(v.unsupported)
    assert recall >= 0.8 and precision >= 0.8


async def test_no_source_gives_single_answer_with_a_hint(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="anything", depth="standard")
    assert result.status == "completed" and not result.references
    assert "--sources" in result.note and "SEARCH_PROVIDER" in result.note
    # Started without the client's probe: the worker says why it took no web search.
    assert "no web search: " in result.note and "DuckDuckGo was not checked" in result.note


SURVIVAL_MD = (
    "# Surviving extremes\n\n"
    "In the tun state, which tardigrades enter when they dry out, they survive temperatures "
    "from near absolute zero to above 150 degrees Celsius.\n\n"
    "| Stress | Survived |\n|---|---|\n| Vacuum of space | 10 days |\n| Gamma radiation | "
    "5000 Gy |\n"
)


async def test_local_documents(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    write_fixture_documents(folder)
    # A Markdown table, and a sentence the fake model quotes from its middle (a clause).
    (folder / "survival.md").write_text(SURVIVAL_MD)
    prepared = cr.ingest_sources(settings, [str(folder)])
    assert prepared.documents >= 5 and prepared.skipped
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="What do tardigrades survive?",
                                  depth="standard", collection=prepared.collection,
                                  formats=["md"])
    assert result.sources_used.endswith("local documents")
    assert len(result.references) >= 2
    md = Path(result.paths[0]).read_text()
    names = {p.name for p in folder.iterdir()}
    refs = md.split("References", 1)[1]
    assert any(name in refs for name in names)
    assert "http" not in refs.split("About this report")[0]
    # Quotes are whole sentences: the clause the model quoted came back as its sentence.
    body = md.split("## References")[0]
    assert "In the tun state, which tardigrades enter when they dry out, they survive " \
        "temperatures from near absolute zero to above 150 degrees Celsius [" in body
    assert all(not s.sentence[0].islower() for s in cited_sentences(body))
    # Tables (from the Markdown and the HTML source) are tables, cited in their cells.
    toks = MarkdownIt("commonmark").enable("table").parse(body)
    cells = [t.content for i, t in enumerate(toks) if t.type == "inline"
             and toks[i - 1].type == "td_open"]
    prose = [t.content for i, t in enumerate(toks) if t.type == "inline"
             and toks[i - 1].type == "paragraph_open"]
    assert any(c.startswith("10 days [") for c in cells), cells
    assert any(c.startswith("Macrobiotus [") for c in cells), cells
    assert not any("|" in p for p in prose)
    assert result.verification is not None
    assert result.verification.supported == result.verification.checked


async def test_page_budget_stops_research(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite
) -> None:
    s = research_settings
    async with build_worker(client, s):
        result = await run_report(client, s, prompt="Tell me about tardigrades.",
                                  depth="standard", budget=Budget(max_pages=2), formats=["md"])
    assert result.status == "completed"
    fetched = sum(fixture_site.hits("/" + p.url.split("/", 3)[3])
                  for p in fixture_site.articles())
    assert fetched <= 2
    assert any("udget" in n for n in result.research_notes)


async def test_plan_review_edit_and_budget_raise(
    client: Client, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    s = research_settings
    async with build_worker(client, s):
        handle = await start(client, s, prompt="Tell me about tardigrades.", depth="standard",
                             review_plan=True, budget=Budget(max_pages=3), formats=["md"])
        await wait_for_step(handle, ReportStep.PLAN_REVIEW)
        live = await handle.query("status", result_type=ReportStatus)
        assert live.model == "openai/fake-model" and live.usage.total_tokens > 0
        assert live.research is not None and len(live.research.plan) == 4
        with pytest.raises(Exception, match="only be raised"):
            await cr.raise_budget(client, handle.id, RaiseBudgetInput(max_pages=1))
        out = await cr.raise_budget(client, handle.id, RaiseBudgetInput(max_pages=6))
        assert out.budget.max_pages == 6
        with pytest.raises(Exception, match="Invalid sub-questions"):
            await cr.review_plan(client, handle.id, PlanReviewInput(action="edit",
                                                                   subquestions=["x"]))
        plan = await cr.review_plan(client, handle.id, PlanReviewInput(
            action="edit", subquestions=["How big are tardigrades?",
                                         "Where do tardigrades live?",
                                         "What protects tardigrade DNA?"]))
        assert len(plan) == 3
        result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed"
    assert "llm_call" in await completed_activities(handle)
    # The edited plan was researched: one child workflow per edited sub-question.
    asked = []
    for i in (1, 2, 3):
        child = await client.get_workflow_handle(f"{handle.id}/q{i}").fetch_history()
        started = child.events[0].workflow_execution_started_event_attributes
        [sub] = await client.data_converter.decode(started.input.payloads,
                                                   [SubResearchInput])
        asked.append(sub.subquestion)
    assert asked[0] == "How big are tardigrades?" and len(set(asked)) == 3
    assert {r.url for r in result.references}  # researched from the edited plan
    # A finished report says so, not "could not reach".
    with pytest.raises(UserError, match="not running any more"):
        await cr.raise_budget(client, handle.id, RaiseBudgetInput(max_pages=9))


async def test_model_ignoring_the_formats_still_gives_a_cited_report(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """A small model that ignores the schemas it is sent (a plan in JSON of the wrong shape,
    notes in prose) and cites nothing in its summary: the plan is asked again with the
    error, then falls back; notes quote the sources; the uncited summary is left out."""
    fake_llm.configure(plain_tasks={prompts.TASK_NOTES, prompts.TASK_SUMMARY},
                       wrong_json_tasks={prompts.TASK_PLAN},
                       reply="Tardigrades are small and eat what they find.")
    folder = tmp_path / "docs"
    write_fixture_documents(folder)
    prepared = cr.ingest_sources(settings, [str(folder)])
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="What do tardigrades eat?",
                                  depth="standard", collection=prepared.collection,
                                  formats=["md"])
    assert result.references and result.verification and result.verification.checked
    notes = " ".join(result.research_notes)
    assert "No valid research plan" in notes and "quoted from the sources" in notes
    assert "The opening summary was left out (it cited nothing)." in result.research_notes
    assert result.subquestions == ["What do tardigrades eat?"]
    asked = fake_llm.schemas_by_task
    # Every attempt asked for the schema (the fake sees 2: the 3rd attempt's prompt repeats
    # the 2nd's error and is answered from the run's store).
    assert len(asked[prompts.TASK_PLAN]) >= 2 and set(asked[prompts.TASK_PLAN]) == {"plan"}
    assert set(asked[prompts.TASK_NOTES]) == {AnswerSchema.NOTES}


async def test_token_budget_spent_before_writing_quotes_the_notes(
    client: Client, research_settings: Settings, fake_llm: FakeLLM
) -> None:
    """Research used the tokens: sections quote their notes instead of being dropped."""
    s = research_settings
    async with build_worker(client, s):
        result = await run_report(client, s, prompt="Tell me about tardigrades.",
                                  depth="standard", budget=Budget(max_tokens=600),
                                  formats=["md"])
    assert result.status == "completed" and result.references
    assert any("quote their notes" in n for n in result.research_notes), result.research_notes
    assert result.verification is not None and result.verification.checked
