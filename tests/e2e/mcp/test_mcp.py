"""``research mcp`` driven by the MCP SDK's own client, over stdio and over HTTP.

Each server is the real command in a subprocess (``--no-worker``), on the session's dev
server; one worker in the test process (the fake LLM) serves both, so neither
subprocess spends seconds importing the worker's code. One server per transport serves
the module's tests.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
import pytest_asyncio
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, ResourceLink, TextContent
from temporalio.client import Client as TemporalClient

from durable_research.config import Settings
from durable_research.mcp.names import MAX_WAIT_S, Tool
from durable_research.testing.fake_llm import FakeLLM
from durable_research.worker.build import build_worker
from tests.support.cli import RESEARCH
from tests.support.settings import PAYLOAD_KEY, settings_env

# One process (pytest-xdist) for the module, so its worker and `research mcp` HTTP server
# starts once: a module fixture spread over processes starts in each, and again whenever
# a process runs another module's test in between.
pytestmark = pytest.mark.xdist_group("mcp")

READY_S = 90


@pytest.fixture(scope="module")
def mcp_settings(fake_llm_server: FakeLLM, temporal_address: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The servers' and the worker's settings: the fake LLM, their own task queue."""
    tmp = tmp_path_factory.mktemp("mcp")
    return Settings(llm_model="openai/fake-model", llm_api_key="test-key",
                    llm_api_base=fake_llm_server.api_base, llm_timeout_s=30,
                    temporal_address=temporal_address,
                    task_queue=f"mcp-{uuid.uuid4().hex[:8]}", data_dir=str(tmp / "data"),
                    output_dir=str(tmp / "reports"), embedded="never",
                    payload_key=PAYLOAD_KEY)


@pytest.fixture(scope="module")
def mcp_env(mcp_settings: Settings) -> dict[str, str]:
    """The servers' environment (no embedded server)."""
    return settings_env(mcp_settings)


@pytest_asyncio.fixture(scope="module")
async def mcp_worker(client: TemporalClient, mcp_settings: Settings) -> AsyncIterator[None]:
    """The worker serving the module's reports."""
    async with build_worker(client, mcp_settings):
        yield


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one folder assistants may research (--sources-root)."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "tardigrades.md").write_text(
        "# Tardigrades\n\nTardigrades survive the vacuum of space for ten days. They also "
        "survive temperatures close to absolute zero.\n", encoding="utf-8")
    return folder


def text(result: CallToolResult) -> str:
    """A tool's answer as one text."""
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


async def until_settled(c: Client, wid: str, step: str) -> str:
    """get_status with ``wait`` until the report shows ``step`` (a few calls at most)."""
    answer = ""
    for _ in range(5):
        answer = text(await c.call_tool(Tool.GET_STATUS, {"id": wid, "wait": MAX_WAIT_S}))
        if step in answer:
            return answer
    raise AssertionError(answer)


@asynccontextmanager
async def stdio_server(env: dict[str, str], docs: Path, log: Path) -> AsyncIterator[Client]:
    """``research mcp`` as a client starts it (its stderr in ``log``)."""
    params = StdioServerParameters(command=RESEARCH[0], args=[*RESEARCH[1:], "mcp",
                                   "--no-worker", "--sources-root", str(docs)],
                                   env=env, cwd=log.parent)
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog),
                          read_timeout_seconds=MAX_WAIT_S + 30) as client:
            yield client


async def test_stdio_quick_report_errors_and_resource(
        mcp_env: dict[str, str], mcp_worker: None, docs: Path, tmp_path: Path,
        fake_llm: FakeLLM) -> None:
    async with stdio_server(mcp_env, docs, tmp_path / "stderr.log") as c:
        assert {t.name for t in (await c.list_tools()).tools} == set(Tool)
        # User mistakes: one line with a hint, no traceback.
        for tool, args, needle in (
                (Tool.GET_STATUS, {"id": "report-nope"}, "No report workflow"),
                (Tool.START_RESEARCH, {"question": "q", "depth": "huge"}, "Unknown depth"),
                (Tool.START_RESEARCH, {"question": "q", "sources": ["/etc"]},
                 "outside the allowed folders"),
                (Tool.GET_REPORT, {"id": "report-nope", "format": "odt"},
                 "Unknown report format"),
                (Tool.REVIEW_DRAFT, {"id": "report-nope", "action": "publish"},
                 "Unknown review action")):
            refused = await c.call_tool(tool, args)
            assert refused.is_error and needle in text(refused), text(refused)
            assert "Hint:" in text(refused) and "\n" not in text(refused)
        started = text(await c.call_tool(Tool.START_RESEARCH, {
            "question": "What do tardigrades eat? (mcp stdio)", "depth": "quick",
            "wait": MAX_WAIT_S}))
        wid = re.search(r"Started report (\S+)\.", started)
        assert wid, started
        done = started if "status: completed" in started else await until_settled(
            c, wid[1], "status: completed")
        assert f"{Tool.GET_REPORT}(id, format=one of pdf/md)" in done, done
        md = text(await c.call_tool(Tool.GET_REPORT, {"id": wid[1], "format": "md"}))
        assert "FAKE-LLM answer to: What do tardigrades eat? (mcp stdio)" in md
        pdf = await c.call_tool(Tool.GET_REPORT, {"id": wid[1], "format": "pdf"})
        link = next(x for x in pdf.content if isinstance(x, ResourceLink))
        assert link.mime_type == "application/pdf" and ".pdf" in text(pdf)
        blob = (await c.read_resource(str(link.uri))).contents[0]
        assert getattr(blob, "blob", "").startswith("JVBERi")  # base64 of "%PDF"
        listed = text(await c.call_tool(Tool.LIST_REPORTS, {}))
        assert wid[1] in listed and "completed" in listed
    assert "Traceback" not in (tmp_path / "stderr.log").read_text()
    assert fake_llm.successes_for("What do tardigrades eat? (mcp stdio)") == 1


@pytest.fixture(scope="module")
def http_server(mcp_env: dict[str, str], docs: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``research mcp --http --port 0``: its endpoint and the token it printed."""
    proc = subprocess.Popen([*RESEARCH, "mcp", "--http", "--port", "0", "--no-worker",
                             "--sources-root", str(docs)],
                            env=mcp_env, cwd=tmp_path_factory.mktemp("http"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    printed = ""
    found = None
    try:
        while found is None:  # until it prints its endpoint and token (unbuffered reads)
            ready, _, _ = select.select([proc.stdout], [], [], READY_S)
            chunk = os.read(proc.stdout.fileno(), 4096) if ready else b""
            assert chunk, f"research mcp --http did not start: {printed}"
            printed += chunk.decode()
            found = re.search(r"(http://127\.0\.0\.1:\d+/mcp)\s.*?Bearer (\S+)\n", printed,
                              re.S)
        yield found[1], found[2]
    finally:
        proc.terminate()
        proc.wait(30)
        proc.stdout.close()


def test_http_needs_the_token_and_a_loopback_host(http_server: tuple[str, str]) -> None:
    url, token = http_server
    assert len(token) >= 43
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(url, json=body, headers={"authorization": "Bearer x" * 8}
                      ).status_code == 401
    rebound = httpx.post(url, json=body, headers={"authorization": f"Bearer {token}",
                                                  "host": "evil.example:80"})
    assert rebound.status_code == 421
    # A page in the user's browser that got the token still cannot use it (the SDK's check).
    from_page = httpx.post(url, json=body, headers={"authorization": f"Bearer {token}",
                                                    "origin": "https://evil.example"})
    assert from_page.status_code == 403, from_page.text


async def test_http_answers_plan_and_draft_review(http_server: tuple[str, str], mcp_worker: None,
                                          docs: Path, fake_llm: FakeLLM) -> None:
    url, token = http_server
    question = "What do tardigrades survive? (mcp http)"
    async with httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"},
                                  timeout=MAX_WAIT_S + 30) as http, Client(
            streamable_http_client(url, http_client=http)) as c:
        started = text(await c.call_tool(Tool.START_RESEARCH, {
            "question": question, "sources": [str(docs)], "clarify": True, "review_plan": True,
            "review": True, "formats": "md", "wait": MAX_WAIT_S}))
        assert "1 document(s) from sources" in started, started
        wid = re.search(r"Started report (\S+)\.", started)
        assert wid, started
        asked = await until_settled(c, wid[1], "wait for your answers")
        assert "question 1: Which aspect of" in asked, asked
        sent = text(await c.call_tool(Tool.ANSWER_QUESTIONS, {
            "id": wid[1], "answers": ["surviving in space", ""]}))
        assert sent.startswith("1 answer sent"), sent
        await until_settled(c, wid[1], "the plan waits for your review")
        plan = text(await c.call_tool(Tool.GET_PLAN, {"id": wid[1]}))
        assert "waits for your review" in plan and "\n1. " in plan, plan
        refused = await c.call_tool(Tool.REVIEW_PLAN, {"id": wid[1], "action": "approve",
                                                       "edits": ["Why?"]})
        assert refused.is_error and "takes no sub-questions" in text(refused)
        mine = ["How cold can tardigrades get?", "Do tardigrades survive in space?"]
        edited = text(await c.call_tool(Tool.REVIEW_PLAN, {"id": wid[1], "action": "edit",
                                                           "edits": mine}))
        assert edited.startswith("Plan changed:") and mine[0] in edited, edited
        draft = await until_settled(c, wid[1], "the draft below waits for your review")
        assert "Draft version 1:" in draft, draft
        approved = await c.call_tool(Tool.REVIEW_DRAFT, {"id": wid[1], "action": "approve"})
        assert not approved.is_error, text(approved)
        await until_settled(c, wid[1], "status: completed")
        md = text(await c.call_tool(Tool.GET_REPORT, {"id": wid[1]}))
        assert md.strip(), md
        no_pdf = await c.call_tool(Tool.GET_REPORT, {"id": wid[1], "format": "pdf"})
        assert no_pdf.is_error and "no pdf file" in text(no_pdf)
