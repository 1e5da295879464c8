"""The research agent end to end: ``research run --agent`` with the fake LLM's default
researcher (search, read, follow a link, note, done) against the fake SearXNG and the
fixture site, producing a cited report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.search_server import SearchServer
from tests.support.cli import research
from tests.support.settings import settings_env


def test_research_run_with_the_agent_writes_a_cited_report(
    research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite,
    search_server: SearchServer, tmp_path: Path,
) -> None:
    search_server.reset()
    # The fake model is unknown to litellm: the worker is told it calls tools.
    env = settings_env(replace(research_settings, llm_tool_calling="on",
                               output_dir=str(tmp_path / "reports")))
    proc = research("run", "Tell me about tardigrades.", "--agent", "--max-steps", "6",
                    "--format", "md", env=env, cwd=tmp_path, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    # One line says the agent was chosen, and each step has its line.
    assert "research: the agent (the model chooses its tools, at most 6 turns" in out
    assert "q1: search 'What are the basic facts about tardigrades?' -> " in out
    assert "q1: read [1] part 1" in out and "q1: note [1]" in out
    # A link of a page read (the site's navigation) is followed with the same fetcher.
    assert "q1: follow [" in out and f"{fixture_site.base_url}/" in out
    # The agent's searches were the sub-questions (the default researcher's), each once.
    queries = search_server.queries
    assert len(queries) == len(set(queries)) == 4, queries
    (md,) = (tmp_path / "reports").glob("*.md")
    text = md.read_text()
    assert fixture_site.base_url in text and "[1]" in text
    assert "Citations checked" in text or "citations" in text.lower()
    assert fake_llm.tool_turns >= 4 * 3 and fake_llm.turns_repeated() == 0
