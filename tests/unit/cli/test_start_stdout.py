"""`research start` prints the workflow id alone on stdout, so that a script captures it
(`ID=$(research start ...)`), also when it starts the embedded server on the way. Found in
a new user's trial: the server's three lines ("No Temporal server at ...; starting the
embedded dev server", "... started (pid ...)", "It keeps running ...") went to stdout, and
`research status $ID` then read them as options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app, reports
from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker


def _env(tmp_path: Path) -> dict[str, str]:
    return {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
            "LLM_API_BASE": "http://127.0.0.1:1/v1", "RESEARCH_ENV_FILE": "/dev/null",
            "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"), "SEARCH_PROVIDER": "none"}


def test_start_prints_only_the_id_on_stdout_when_it_starts_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def connect_starting_the_server(settings: Settings, allow_embedded: bool = True,
                                          on_event: Any = None,
                                          on_server_launch: Any = None) -> rc.Connection:
        on_event("No Temporal server at 127.0.0.1:7233; starting the embedded dev server")
        info = devserver.DevServerInfo(pid=4242, address="127.0.0.1:7233", ui_url="",
                                       db_file=tmp_path / "t.sqlite",
                                       log_file=tmp_path / "t.log")
        return rc.Connection(client=None, embedded=info)  # type: ignore[arg-type]

    class Handle:
        id = "report-started"

    async def fake_start(settings: Settings, params: Any, workflow_id: Any,
                         quiet: bool = False, conn: Any = None) -> tuple[None, Handle]:
        return None, Handle()

    monkeypatch.setattr(rc, "connect", connect_starting_the_server)
    monkeypatch.setattr(reports, "_start", fake_start)
    monkeypatch.setattr(local_worker, "ensure_worker", lambda settings, workers=1: object())
    result = CliRunner().invoke(build_app(), ["start", "a question", "--depth", "quick"],
                                env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "report-started\n"
    # The user still reads that a server was started, on stderr.
    assert "Embedded Temporal dev server started (pid 4242)" in result.stderr
    assert "starting the embedded dev server" in result.stderr
