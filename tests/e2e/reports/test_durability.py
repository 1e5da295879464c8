"""Crash tests: real processes are SIGKILLed; the work continues and the LLM is paid once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import Client

from durable_research.config import Settings
from durable_research.contract.report import ReportResult
from durable_research.embedded import devserver
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.temporal import connect_retrying, kill_dev_server
from durable_research.worker.build import build_worker
from durable_research.workflows.report import GenerateReportWorkflow
from tests.support.helpers import completed_activities, start
from tests.support.processes import kill, spawn_worker, wait_for_any_file, wait_for_file
from tests.support.settings import with_settings

pytestmark = pytest.mark.slow


async def test_worker_killed_between_llm_and_pdf(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    marker = tmp_path / "pdf-started"
    doomed = spawn_worker(settings, tmp_path, block_pdf=marker)
    try:
        handle = await start(client, settings, prompt="survive a worker crash")
        await asyncio.to_thread(wait_for_file, marker, doomed)
        assert await completed_activities(handle) == ["llm_call"]
    finally:
        kill(doomed)
    # A fresh worker picks the workflow up after the dead one's heartbeat times out.
    async with build_worker(client, settings):
        result = await asyncio.wait_for(handle.result(), timeout=90)
    assert result.status == "completed"
    assert Path(result.pdf_path).is_file()
    assert fake_llm.successes == 1 and fake_llm.calls == 1
    assert await completed_activities(handle) == ["llm_call", "create_pdf", "send_email"]


async def test_server_killed_between_steps_and_restarted(
    settings: Settings, fake_llm: FakeLLM, tmp_path: Path, private_server: tuple[str, Path]
) -> None:
    address, data = private_server
    settings = with_settings(settings, temporal_address=address)
    client = await connect_retrying(address)
    marker = tmp_path / "pdf-started"
    doomed = spawn_worker(settings, tmp_path, block_pdf=marker)
    handle = await start(client, settings, prompt="survive a server crash")
    try:
        await asyncio.to_thread(wait_for_file, marker, doomed)
    finally:
        kill_dev_server(data)
        kill(doomed)
    devserver.start_dev_server(address, data, headless=True)
    client = await connect_retrying(address)
    handle = client.get_workflow_handle(handle.id, result_type=ReportResult)
    async with build_worker(client, settings):
        result = await asyncio.wait_for(handle.result(), timeout=90)
    assert result.status == "completed"
    assert fake_llm.successes == 1
    assert await completed_activities(handle) == ["llm_call", "create_pdf", "send_email"]


async def test_server_killed_during_llm_call_worker_rides_it_out(
    settings: Settings, fake_llm: FakeLLM, tmp_path: Path, private_server: tuple[str, Path]
) -> None:
    address, data = private_server
    settings = with_settings(settings, temporal_address=address)
    fake_llm.configure(delay=3.0)
    client = await connect_retrying(address)
    answered = tmp_path / "llm-call-returned"
    survivor = spawn_worker(settings, tmp_path, returned={"llm_call": answered})
    try:
        handle = await start(client, settings, prompt="server dies mid-call")
        while fake_llm.calls == 0:
            await asyncio.sleep(0.05)
        kill_dev_server(data)
        # The LLM answers while the server is down (the activity has returned: the
        # worker holds the result); it is reported once the server is back on the same
        # SQLite file.
        await asyncio.to_thread(wait_for_file, answered, survivor)
        assert fake_llm.successes == 1
        devserver.start_dev_server(address, data, headless=True)
        client = await connect_retrying(address)
        h2 = client.get_workflow_handle(handle.id, result_type=ReportResult)
        result = await asyncio.wait_for(h2.result(), 90)
    finally:
        kill(survivor)
    assert result.status == "completed"
    assert fake_llm.successes == 1


async def test_step_outlives_more_worker_deaths_than_its_attempts(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """create_pdf allows 3 attempts; 3 dead workers in a row must not fail the report."""
    markers = [tmp_path / f"pdf-started-{death}" for death in range(3)]
    # The three victims start side by side (worker start-up takes seconds: importing
    # litellm) and all poll before the report starts; each attempt of create_pdf goes to
    # one of those still alive, which blocks in it and is killed.
    spawned = await asyncio.gather(*(
        asyncio.to_thread(spawn_worker, settings, tmp_path, block_pdf=marker)
        for marker in markers), return_exceptions=True)
    doomed = {marker: proc for marker, proc in zip(markers, spawned, strict=True)
              if not isinstance(proc, BaseException)}
    try:
        for failed in spawned:
            if isinstance(failed, BaseException):
                raise failed
        handle = await start(client, settings, prompt="workers keep dying")
        for _death in markers:
            marker = await asyncio.to_thread(wait_for_any_file, doomed, 90)
            kill(doomed.pop(marker))
    finally:
        for proc in doomed.values():
            kill(proc)
    async with build_worker(client, settings):
        result = await asyncio.wait_for(handle.result(), timeout=120)
        status = await handle.query(GenerateReportWorkflow.status)
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert fake_llm.successes == 1
    assert any("create_pdf: its workers kept dying" in line for line in status.history)
