"""Many machines: workers with different local disks share only the artifact store."""

from __future__ import annotations

import asyncio
import email.policy
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError

from durable_research.activities.email import EmailActivities
from durable_research.activities.pdf import PdfActivities
from durable_research.config import Settings
from durable_research.contract.report import CreatePdfInput, ReportContent, SendEmailInput
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.s3_server import S3Server
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from durable_research.workflows.steps import FETCH_PAGES_STEP
from tests.support.helpers import start
from tests.support.processes import kill, spawn_worker, wait_for_file
from tests.support.settings import mail_settings, settings_env


async def _no_pending(handle: WorkflowHandle[Any, Any], activity_type: str,
                      bound_s: float) -> None:
    """Wait until the workflow has no pending activity of ``activity_type``."""
    deadline = asyncio.get_running_loop().time() + bound_s
    while True:
        desc = await handle.describe()
        pending = [a for a in desc.raw_description.pending_activities
                   if a.activity_type.name == activity_type]
        if not pending:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{activity_type} still pending"
        await asyncio.sleep(0.1)


def host(settings: Settings, tmp: Path, name: str) -> Settings:
    """The settings of one "machine": its own data and output folders."""
    return replace(settings, data_dir=str(tmp / name / "data"),
                   output_dir=str(tmp / name / "reports"))


# One process (pytest-xdist) for the module: one S3 server, not one per process.
pytestmark = pytest.mark.xdist_group("many-hosts")


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """A real S3-protocol server on 127.0.0.1."""
    with S3Server(start_timeout_s=120) as server:  # generous: a loaded 2-core box
        server.create_bucket("reports")
        yield server


@pytest.fixture(params=["directory", "s3"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Store settings shared by every host: a shared folder, or an S3 bucket (Settings
    field values: Any, as ``replace(settings, **...)`` takes them)."""
    if request.param == "directory":
        return {"store": str(tmp_path / "shared-store")}
    server = request.getfixturevalue("s3")
    for var, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                       ("AWS_EC2_METADATA_DISABLED", "true")):
        monkeypatch.setenv(var, value)
    return {"store": f"s3://reports/{tmp_path.name}", "s3_endpoint_url": server.endpoint_url,
            "s3_region": "us-east-1"}


def host_env(settings: Settings) -> dict[str, str]:
    """A worker process's environment for ``settings`` (plus the S3 test credentials)."""
    env = settings_env(settings)
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    return env


# Each multi-host path runs on one backend (both backends' own behaviour is covered in
# tests/e2e/store/test_store.py): three hosts and a SIGKILL cost ~40 s a run, and the suite
# must stay within its time budget.
@pytest.mark.parametrize("shared_store", ["s3"], indirect=True)
async def test_pdf_on_one_host_mailed_from_another_downloaded_on_a_third(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, tmp_path: Path,
    shared_store: dict[str, Any],
) -> None:
    with SmtpSink() as sink:
        base = replace(mail_settings(research_settings, sink.port), **shared_store)
        a, b = host(base, tmp_path, "a"), host(base, tmp_path, "b")
        # Host A researches and renders, then dies as it starts mailing; B takes over.
        marker = tmp_path / "mail-started"
        doomed = spawn_worker(a, tmp_path, blocks={"send_email": marker}, env=host_env(a))
        try:
            handle = await start(client, a, prompt="Tell me about tardigrades.",
                                 depth="standard", email_to="reader@example.org",
                                 output_dir="")
            await asyncio.to_thread(wait_for_file, marker, doomed, 120)
        finally:
            kill(doomed)
        async with build_worker(client, b):
            result = await asyncio.wait_for(handle.result(), timeout=120)
        assert result.status == "completed" and result.email.sent, result.note
        assert result.references and Path(result.pdf_path).is_relative_to(tmp_path / "a")
        assert not list((tmp_path / "b").rglob("*.pdf"))  # B never had the file on disk
        mail = message_from_bytes(sink.messages[-1].content, policy=email.policy.default)
        attached = list(mail.iter_attachments())
        assert attached and attached[0].get_content().startswith(b"%PDF")
    # A third machine with neither folder downloads the report from the store.
    third = host(base, tmp_path, "c")
    proc = subprocess.run(
        [sys.executable, "-m", "durable_research.cli", "result", handle.id, "--no-worker",
         "--download", str(tmp_path / "c" / "got")],
        env=host_env(third), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = sorted((tmp_path / "c" / "got").iterdir())
    assert [p.read_bytes() for p in got] == [Path(result.pdf_path).read_bytes()]


@pytest.mark.parametrize("shared_store", ["directory"], indirect=True)
async def test_research_fetched_on_one_host_written_on_another(
    client: Client, research_settings: Settings, fake_llm: FakeLLM, tmp_path: Path,
    shared_store: dict[str, Any], fixture_site: FixtureSite,
) -> None:
    base = replace(research_settings, **shared_store)
    a, b = host(base, tmp_path, "a"), host(base, tmp_path, "b")
    marker = tmp_path / "notes-started"
    doomed = spawn_worker(a, tmp_path, blocks={"take_notes": marker}, env=host_env(a))
    try:
        handle = await start(client, a, prompt="Tell me about tardigrades.", depth="standard",
                             formats=["md"], output_dir="")
        await asyncio.to_thread(wait_for_file, marker, doomed, 120)
        # The other sub-questions' fetches may still be under way: a page fetched but not
        # yet stored would be fetched again by B. Wait until none is pending (a fixed
        # second was too short for a loaded box).
        await _no_pending(handle, FETCH_PAGES_STEP.activity, 120)
    finally:
        kill(doomed)
    fetched = {p.url: fixture_site.hits("/" + p.url.split("/", 3)[3])
               for p in fixture_site.articles()}
    async with build_worker(client, b):
        result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status == "completed" and result.references
    assert result.verification is not None and result.verification.checked
    # B wrote from the page texts A fetched (through the store), without fetching again.
    for url, hits in fetched.items():
        if hits:
            assert fixture_site.hits("/" + url.split("/", 3)[3]) == hits


async def test_inputs_cannot_choose_paths_or_attachments(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    """A forged input may not write outside the output root nor attach another file."""
    outside = tmp_path / "elsewhere"

    @activity.defn(name="probe")
    async def probe(kind: str) -> str:
        try:
            if kind == "pdf":
                await PdfActivities(settings).create_pdf(CreatePdfInput(
                    content=ReportContent(body_markdown="x"), output_dir=str(outside)))
            else:
                mail = replace(settings, smtp_host="127.0.0.1", smtp_port=1)
                await EmailActivities(mail).send_email(SendEmailInput(
                    to="a@example.org", attachment_key="runs/someone-else/report/x.pdf"))
        except ApplicationError as exc:
            return f"{exc.type}: {exc}"
        return "accepted"

    from temporalio.testing import ActivityEnvironment

    env = ActivityEnvironment()
    assert (await env.run(probe, "pdf")).startswith("OutsideOutputRoot")
    assert not outside.exists()
    assert (await env.run(probe, "mail")).startswith("ForbiddenKey")
