"""The worker's CPU process pool (``activities/procpool.py``): the same results as a
thread, a dead child as a retryable failure after which the pool works again, and the
worker starting and stopping the children (real child processes: the e2e tier)."""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from durable_research.activities import procpool
from durable_research.activities.pools import in_cpu
from durable_research.activities.procwork import (
    assess_claims,
    compare_notes,
    read_page,
    write_report,
)
from durable_research.config import CpuPool, Settings
from durable_research.contract.report import ReportContent
from durable_research.errors import FailureType
from durable_research.research.citations import cited_sentences
from durable_research.research.crosscheck import JudgeReads
from durable_research.research.evidence import Evidence
from durable_research.research.fetch_policy import Fetched
from durable_research.worker.build import build_worker
from tests.support.cpu_children import child_pid, die, read_fifo, refuse
from tests.support.cpu_pool import warm_pool
from tests.support.helpers import run_report
from tests.support.paths import ROOT
from tests.support.settings import with_settings

PAGE = Fetched(
    url="https://example.org/a", final_url="https://example.org/a", status=200,
    content_type="text/html", charset="utf-8",
    body=("<html><head><title>Tides</title></head><body><article>"
          + "<p>The tide rises twice a day along the coast of the bay. " * 30
          + '<a href="/b">next</a></p></article></body></html>').encode())
NOTES = [("a", "The bridge opened in 1932 and carries six lanes."),
         ("b", "The bridge opened in 1937 and carries four lanes."),
         ("c", "The harbour is deep enough for large ships.")]


def _alive(pid: int) -> bool:
    # A child the fork server has not reaped yet is a zombie: it runs no more.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest_asyncio.fixture
async def pool() -> AsyncIterator[None]:
    async with warm_pool(2):
        yield


async def test_a_call_gives_what_a_thread_gives(pool: None, tmp_path: Path) -> None:
    in_child = await procpool.in_process(read_page, PAGE)
    in_thread = await in_cpu(read_page, PAGE)
    assert in_child == in_thread and "tide rises" in in_child[0].text

    conflicts = await procpool.in_process(compare_notes, NOTES, None)
    assert conflicts == await in_cpu(compare_notes, NOTES, None)

    content = ReportContent(question="Tides?", body_markdown="## Tides\n\nTwice a day [1].",
                            model="m", date="2026-12-07")
    child_paths = await procpool.in_process(write_report, content, tmp_path / "child", "r",
                                            ["md", "html"], False)
    thread_paths = await in_cpu(write_report, content, tmp_path / "thread", "r",
                                ["md", "html"], False)
    assert [p.name for p in child_paths] == [p.name for p in thread_paths] == ["r.md", "r.html"]
    assert [p.read_bytes() for p in child_paths] == [p.read_bytes() for p in thread_paths]
    assert (await procpool.in_process(child_pid)) != os.getpid()


async def test_the_checks_index_and_assessments_come_back_as_a_thread_makes_them(
        pool: None) -> None:
    sources = [Evidence(key=key, text=text, n=n, title=key, url=f"https://example.org/{key}")
               for n, (key, text) in enumerate(NOTES, start=1)]
    claims = cited_sentences("The bridge opened in 1932 [1]. It carries four lanes [2].")
    index, in_child = await procpool.in_process(assess_claims, sources, None, claims, True,
                                                JudgeReads.OTHERS)
    _, in_thread = await in_cpu(assess_claims, sources, None, claims, True, JudgeReads.OTHERS)
    assert index is not None and in_child == in_thread
    assert in_child[1].conflict is not None or in_child[1].questions  # 1937 or four lanes
    # With the index it built: the same again, and the index is not sent back.
    again = await procpool.in_process(assess_claims, sources, index, claims, True,
                                      JudgeReads.OTHERS)
    assert again == (None, in_child)


async def test_an_exception_in_the_child_comes_back_as_raised(pool: None) -> None:
    with pytest.raises(ValueError, match="no such page"):
        await procpool.in_process(refuse, "no such page")
    assert await procpool.in_process(child_pid) != os.getpid()  # the pool still works


async def test_a_dead_child_is_a_retryable_failure_and_the_pool_recovers(pool: None) -> None:
    with pytest.raises(ApplicationError) as failed:
        await procpool.in_process(die)
    assert failed.value.type == FailureType.CPU_PROCESS_CRASHED
    assert not failed.value.non_retryable
    # A new pool warms up in the background; calls run in threads meanwhile.
    await procpool.warm()
    assert await procpool.in_process(child_pid) != os.getpid()


async def test_a_cancelled_call_stops_waiting_for_its_child(pool: None, tmp_path: Path) -> None:
    """An activity cancelled (or timed out) during a long render gets its cancellation at
    once; the child finishes its call and the pool goes on (as a thread did)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    call = asyncio.ensure_future(procpool.in_process(read_fifo, str(fifo)))
    # Opening the FIFO for writing returns once the child has opened it: it is in the call.
    writer = await asyncio.to_thread(os.open, fifo, os.O_WRONLY)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    os.write(writer, b"done")
    os.close(writer)
    assert await procpool.in_process(child_pid) != os.getpid()


async def test_without_a_pool_the_call_runs_in_a_thread() -> None:
    assert not procpool.running()
    assert await procpool.in_process(child_pid) == os.getpid()


async def test_until_the_children_are_up_a_call_runs_in_a_thread() -> None:
    """A worker's first report (a first run's) never waits for the pool's start-up."""
    procpool.start(2)
    try:
        assert await procpool.in_process(child_pid) == os.getpid()
        await procpool.warm()
        assert await procpool.in_process(child_pid) != os.getpid()
    finally:
        await procpool.stop()


async def test_the_worker_starts_the_children_and_stops_them(
        client: Client, settings: Settings) -> None:
    procs = with_settings(settings, worker_cpu_pool=CpuPool.PROCESSES, worker_cpu_threads=2)
    async with build_worker(client, procs):
        result = await run_report(client, procs, prompt="tides", formats=["pdf", "md"])
        assert procpool.running()
        await procpool.warm()  # the worker started it when it began to poll
        child = await procpool.in_process(child_pid)
        assert child != os.getpid() and _alive(child)
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert not procpool.running() and not _alive(child)


def test_the_children_end_with_a_killed_worker() -> None:
    """A worker killed with SIGKILL cannot shut its pool down: its children end by
    themselves (they held their call queue open and waited for ever)."""
    code = "from tests.support.cpu_children import pool_then_killed; pool_then_killed()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    pids = [int(p) for p in out.stdout.split()]
    assert pids, out.stderr
    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        try:
            # Readable once the process has ended: a real signal, not a guess of how long.
            ended, _, _ = select.select([handle], [], [], 30)
        finally:
            os.close(handle)
        assert ended, f"child {pid} outlived its killed worker"


async def test_a_hosted_worker_stops_its_children_before_its_front_end_returns(
        client: Client, settings: Settings) -> None:
    """``research web`` hosts a worker (``reports_served``): stopping it waited for the
    worker's polling to end, not for its run's clean-up, so the front end's loop ended
    first and the pool stayed counted as in use in the process (found by the suite: the
    web tests left it to the next tests of their process)."""
    from durable_research.worker.hosted import reports_served

    procs = with_settings(settings, worker_cpu_pool=CpuPool.PROCESSES, worker_cpu_threads=1)
    async with reports_served(procs, client):
        result = await run_report(client, procs, prompt="tides", formats=["md"])
        assert procpool.running()
    assert result.status == "completed"
    assert not procpool.running()
