"""Scheduled research end to end: the ``research schedule`` commands against a real dev
server, runs on a real worker with the fake LLM, search engine and web site.

Runs are started with ``trigger``, never by waiting for a schedule's time.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.client import Client

from durable_research.client import schedules as cs
from durable_research.client.every import parse_every
from durable_research.config import Settings
from durable_research.contract.report import (
    ReportInput,
    ReportResult,
    schedule_action_id,
    scheduled_action_of,
)
from durable_research.errors import UserError
from durable_research.research.changes import CHANGES_HEADING
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.search_server import SearchServer
from durable_research.worker.build import build_worker
from tests.support.cli import research
from tests.support.settings import settings_env

QUESTION = "Tell me about tardigrades."


async def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # In a thread: the test's in-process worker shares this event loop.
    return await asyncio.to_thread(research, "schedule", *args, env=env, cwd=cwd)


async def _triggered_report(client: Client, env: dict[str, str], cwd: Path,
                            schedule_id: str) -> tuple[str, str]:
    """Trigger the schedule, wait for its report; its id and its Markdown file."""
    proc = await _cli(env, cwd, "trigger", schedule_id)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run_id = proc.stdout.strip().splitlines()[-1]
    assert scheduled_action_of(run_id) == schedule_action_id(schedule_id), proc.stdout
    handle = client.get_workflow_handle(run_id, result_type=ReportResult)
    result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed" and result.references, result
    md = next(p for p in result.paths if p.endswith(".md"))
    return run_id, Path(md).read_text(encoding="utf-8")


def _body(md: str) -> str:
    """The report's body: what follows the title block's rule."""
    return md.split("\n---\n", 1)[1].lstrip()


async def test_schedule_runs_report_what_changed(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, fixture_site: FixtureSite,
    tmp_path: Path,
) -> None:
    articles = fixture_site.articles()
    # Its own engine: the second run finds pages the first could not.
    search = SearchServer().start()
    try:
        search.add_documents((p.url, p.title, p.text) for p in articles[:2])
        s = replace(research_settings, searxng_url=search.base_url)
        env = settings_env(s)
        schedule_id = f"sched-{uuid.uuid4().hex[:8]}"
        added = await _cli(env, tmp_path, "add", QUESTION, "--every", "mon,thu 08:00",
                           "--tz", "Europe/Berlin", "--format", "md", "--id", schedule_id)
        assert added.returncode == 0, added.stdout + added.stderr
        assert f"Added schedule {schedule_id}: every mon,thu 08:00 (Europe/Berlin)" \
            in added.stdout
        with pytest.raises(UserError, match="already exists"):
            await cs.add_schedule(client, s, ReportInput(), parse_every("1h"), "UTC",
                                  schedule_id)

        async with build_worker(client, s):
            first_id, first = await _triggered_report(client, env, tmp_path, schedule_id)
            search.add_documents((p.url, p.title, p.text) for p in articles[2:])
            second_id, second = await _triggered_report(client, env, tmp_path, schedule_id)
        assert first_id != second_id
        assert _body(first).startswith(f"## {CHANGES_HEADING}")
        assert "first run of this schedule" in first
        body = _body(second)
        assert body.startswith(f"## {CHANGES_HEADING}")
        section = body.split("\n## ", 1)[0]
        assert f"previous report of this schedule ({first_id})" in section
        assert "**New sources (" in section
        new_urls = [p.url for p in articles[2:]]
        assert any(url in section for url in new_urls), section
        # The first run's sources are not "new" again.
        old_urls = [p.url for p in articles[:2]]
        new_part = section.split("**New sources", 1)[1].split("\n\n**", 1)[0]
        assert not any(url in new_part for url in old_urls), section

        listed = await _cli(env, tmp_path, "list")
        row = next(line for line in listed.stdout.splitlines() if schedule_id in line)
        assert "mon,thu 08:00" in row and "Europe/Berlin" in row and "active" in row, row
        assert second_id in row, row
        # The other commands' effects, read back through the client (CLI runs are slow).
        paused = await _cli(env, tmp_path, "pause", schedule_id)
        assert paused.returncode == 0, paused.stderr
        assert (await cs.describe_schedule(client, schedule_id)).paused
        resumed = await _cli(env, tmp_path, "resume", schedule_id)
        assert resumed.returncode == 0 and "next run" in resumed.stdout, resumed.stderr
        assert not (await cs.describe_schedule(client, schedule_id)).paused
        deleted = await _cli(env, tmp_path, "delete", schedule_id)
        assert deleted.returncode == 0, deleted.stderr
        with pytest.raises(UserError, match=f"No schedule with id '{schedule_id}'"):
            await cs.trigger_schedule(client, schedule_id)
    finally:
        search.stop()
