"""The agent's MCP tools against a real MCP server (``testing/mcp_tool_server.py``, the
official SDK) over stdio and over streamable HTTP: the allowed tools are offered to the
fake LLM with their schemas, an allowed call's answer is a source [n] stored and noted
with a quote from it, a tool off the allow-list is refused and never runs, and the
stdio server does not see the worker's secrets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.agent import AgentActivities
from durable_research.activities.tools import ToolActivities
from durable_research.config import Settings
from durable_research.doctor.check import FAIL, OK, WARN
from durable_research.doctor.research import check_mcp
from durable_research.errors import FailureType
from durable_research.research.agent.types import (
    AgentTurnInput,
    ToolCall,
    ToolCallInput,
    ToolCallOutput,
)
from durable_research.research.types import Source
from durable_research.testing import mcp_tool_server as served
from durable_research.testing.fake_llm import FakeLLM
from tests.support.cli import research
from tests.support.helpers import env_for
from tests.support.processes import wait_for_file
from tests.support.settings import settings_env

# One process (pytest-xdist) for the module, so its MCP test server over HTTP (a subprocess)
# starts once: a module fixture spread over processes starts in each, and again whenever
# a process runs another module's test in between.
pytestmark = pytest.mark.xdist_group("mcp-tools")

WORKFLOW = "report-1/q1"
TOKEN = "mcp-test-token"
SERVER = [sys.executable, "-m", "durable_research.testing.mcp_tool_server"]
# The worker's variables: one passed by name, one secret that must not reach the server.
PASSED, SECRET = "MCP_TEST_PASSED", "SMTP_PASSWORD"
AUTH = "MCP_TEST_AUTH"


@pytest.fixture(scope="module")
def wiped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file the forbidden tool writes if it ever runs."""
    return tmp_path_factory.mktemp("mcp") / "wiped"


@pytest.fixture(scope="module")
def http_url(tmp_path_factory: pytest.TempPathFactory, wiped: Path) -> Iterator[str]:
    """The test server over streamable HTTP, behind a bearer token."""
    ready = tmp_path_factory.mktemp("mcp-http") / "ready"
    proc = subprocess.Popen([*SERVER, "--http", "--ready-file", str(ready)],
                            env={"PATH": "/usr/bin:/bin", served.TOKEN_VAR: TOKEN,
                                 served.WIPED_VAR: str(wiped)})
    try:
        wait_for_file(ready, proc)
        yield ready.read_text(encoding="utf-8")
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def worker_env(wiped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's environment: a variable to pass, a secret, the header's value."""
    monkeypatch.setenv(PASSED, "yes")
    monkeypatch.setenv(SECRET, "hunter2")
    monkeypatch.setenv(served.WIPED_VAR, str(wiped))
    monkeypatch.setenv(AUTH, f"Bearer {TOKEN}")


ALLOW = ["lookup", "environment"]
STDIO = {"name": "t", "command": SERVER, "env": [PASSED, served.WIPED_VAR], "allow": ALLOW}


@pytest.fixture(params=["stdio", "http"])
def servers(request: pytest.FixtureRequest, worker_env: None) -> str:
    """``MCP_SERVERS`` naming the test server ``t`` (over each transport); ``wipe`` is
    not on its allow-list."""
    if request.param == "stdio":
        return json.dumps([STDIO])
    url = request.getfixturevalue("http_url")
    return json.dumps([{"name": "t", "url": url, "headers": {"Authorization": AUTH},
                        "allow": ALLOW}])


def worker_settings(tmp_path: Path, servers: str, **more: object) -> Settings:
    return Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path),
                    mcp_servers=servers, **more)  # type: ignore[arg-type]  # test values


async def call(tools: ToolActivities, name: str, turn: int = 0,
               sources: list[Source] | None = None, **args: object
               ) -> tuple[ToolCallOutput, str]:
    """One call as the workflow makes it; its output and the text the model reads."""
    params = ToolCallInput(call=ToolCall(id=f"c{turn}", name=name, arguments=json.dumps(args)),
                           key=f"agent/r/turn-{turn:03d}-call-0.txt", sources=sources or [])
    out = await env_for(WORKFLOW).run(tools.agent_tool, params)
    return out, tools.store.get(out.key).decode()


async def test_the_allowed_tools_are_offered_with_their_schemas(
    servers: str, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    turns = AgentActivities(worker_settings(
        tmp_path, servers, llm_model="openai/fake-model", llm_api_key="test-key",
        llm_api_base=fake_llm.api_base))
    fake_llm.script_tools({"calls": [{"name": "mcp_t_lookup", "arguments": {"topic": "x"}},
                                     {"name": "mcp_t_wipe", "arguments": {}}]})
    out = await env_for(WORKFLOW).run(turns.agent_turn, AgentTurnInput(
        question="Q?", subquestion="S?", model="openai/fake-model", prefix="agent/r",
        tools=["read", "note", "done"], steps_left=3))
    assert out.mcp_tools == ["mcp_t_lookup", "mcp_t_environment"]
    assert [c.name for c in out.calls] == ["mcp_t_lookup", "mcp_t_wipe"]
    (offered,) = fake_llm.tools_offered
    by_name = {t["function"]["name"]: t["function"] for t in offered}
    assert list(by_name) == ["read", "note", "done", "mcp_t_lookup", "mcp_t_environment"]
    lookup = by_name["mcp_t_lookup"]
    assert lookup["parameters"]["required"] == ["topic"]
    assert lookup["description"] == "(MCP server t) Look up a fact about a topic."


async def test_an_allowed_call_is_a_source_to_note_and_a_forbidden_one_never_runs(
    servers: str, wiped: Path, tmp_path: Path
) -> None:
    tools = ToolActivities(worker_settings(tmp_path, servers))
    out, text = await call(tools, "mcp_t_lookup", topic="tardigrades")
    (src,) = out.added
    assert out.ok and out.line == f"t.lookup -> [1] {src.chars} characters"
    assert src.chars == len(f"About tardigrades: {served.FACT}")
    assert src.url == "mcp://t/lookup?topic=tardigrades" and src.content_hash
    assert text.startswith("[1] t.lookup (t MCP server) (part 1 of 1)") and served.FACT in text
    # Its words are an untrusted source: a note must quote them.
    noted, said = await call(tools, "note", turn=1, sources=[src], source=1,
                             quote="revive within thirty minutes", claim="They revive fast.")
    assert noted.ok and said == "Noted from [1]." and noted.cited_hash == src.content_hash
    made_up, said = await call(tools, "note", turn=2, sources=[src], source=1,
                               quote="Tardigrades can fly to the moon.", claim="x")
    assert not made_up.ok and "not in source [1]" in said
    # Not on the allow-list: refused here too (the workflow refuses it first), never run.
    refused, said = await call(tools, "mcp_t_wipe", turn=3)
    assert not refused.ok and refused.line == "mcp_t_wipe refused: not allowed"
    assert "allow-lists" in said and not wiped.exists()


async def test_a_stdio_server_gets_a_minimal_environment(tmp_path: Path,
                                                         worker_env: None) -> None:
    tools = ToolActivities(worker_settings(tmp_path, json.dumps([STDIO])))
    _out, text = await call(tools, "mcp_t_environment")
    names = set(text.split("\n\n", 1)[1].split("\n\n")[0].split())
    assert PASSED in names and "PATH" in names
    assert SECRET not in names and "RESEARCH_PAYLOAD_KEY" not in names
    assert not any(n.startswith(("LLM_", "TEMPORAL_")) for n in names), names


async def test_a_server_that_cannot_start_is_retried(tmp_path: Path) -> None:
    broken = json.dumps([{"name": "gone", "allow": ["lookup"], "command": [
        sys.executable, "-c", "import sys; sys.stderr.write('no such thing'); sys.exit(3)"]}])
    tools = ToolActivities(worker_settings(tmp_path, broken))
    with pytest.raises(ApplicationError) as err:
        await call(tools, "mcp_gone_lookup")
    assert err.value.type == FailureType.MCP_UNAVAILABLE and not err.value.non_retryable
    assert "MCP server gone" in str(err.value) and "no such thing" in str(err.value)


async def test_doctor_lists_each_server_and_the_tools_the_agent_gets(tmp_path: Path) -> None:
    unknown = {**STDIO, "allow": ["lookup", "nope"]}
    gone = {"name": "gone", "url": "http://127.0.0.1:9/mcp", "allow": ["x"]}
    checks = await check_mcp(worker_settings(tmp_path, json.dumps([STDIO, unknown | {
        "name": "t2"}, gone])))
    assert [(c.name, c.level) for c in checks] == [
        ("MCP server t", OK), ("MCP server t2", WARN), ("MCP server gone", FAIL)]
    assert checks[0].message.endswith(": the agent gets lookup, environment")
    assert "the server has no nope" in checks[1].message
    assert checks[2].message.startswith("http://127.0.0.1:9/mcp: MCP server gone: ")


def test_research_run_offers_the_workers_mcp_tools(
    research_settings: Settings, fake_llm: FakeLLM, tmp_path: Path, wiped: Path
) -> None:
    # The first turn asks for the forbidden tool; then the default researcher calls the
    # allowed one with its search, and notes its answer like a page's.
    fake_llm.script_tools({"calls": [{"name": "mcp_t_wipe", "arguments": {}}]})
    servers = json.dumps([{**STDIO, "allow": ["lookup"]}])
    env = settings_env(replace(research_settings, llm_tool_calling="on", mcp_servers=servers,
                               output_dir=str(tmp_path / "reports")))
    env[served.WIPED_VAR] = str(wiped)
    proc = research("run", "Tell me about tardigrades.", "--agent", "--max-steps", "6",
                    "--format", "md", env=env, cwd=tmp_path, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"q\d: t\.lookup -> \[\d+\] [\d,]+ characters", out), out
    assert re.search(r"q\d: mcp_t_wipe refused", out), out
    assert not wiped.exists()
    (md,) = (tmp_path / "reports").glob("*.md")
    text = md.read_text()
    # Markdown escapes the underscores of the refused name.
    assert "the agent asked for an unknown tool 'mcp\\_t\\_wipe'" in text
    # Its answers are cited sources: "t.lookup (t MCP server) — mcp://t/lookup?topic=...".
    assert re.search(r"^\d+\. t\.lookup \(t MCP server\) — mcp://t/lookup\?topic=\S+,",
                     text, re.M), text
