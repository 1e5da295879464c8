"""A front end's port that another program holds (a real socket here, hence this tier) is
refused with a line and a hint, exit 2, before anything starts (uvicorn said "ERROR: [Errno
98] ..." and exited 3; the codec server printed a traceback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app
from durable_research.cli.ports import refuse_busy_port
from durable_research.errors import UserError


@pytest.fixture
def taken() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        yield holder.getsockname()[1]


def test_a_port_in_use_is_refused_and_a_free_one_is_not(taken: int) -> None:
    with pytest.raises(UserError) as exc:
        refuse_busy_port("127.0.0.1", taken)
    assert exc.value.message == f"Cannot listen on 127.0.0.1:{taken}: Address already in use"
    assert exc.value.hint is not None and "another --port" in exc.value.hint
    refuse_busy_port("127.0.0.1", 0)


@pytest.mark.parametrize("command", [
    ["web", "--no-browser", "--no-worker"],
    ["mcp", "--http", "--no-worker"],
    ["codec-server"],
])
def test_each_server_command_refuses_it_before_starting(
        taken: int, command: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    data = tmp_path_factory.mktemp("data")
    env = {"COLUMNS": "200", "TERM": "dumb", "RESEARCH_DATA_DIR": str(data),
           "RESEARCH_OUTPUT_DIR": str(data / "out"),
           # Nothing listens here: reaching the connection would fail differently.
           "TEMPORAL_ADDRESS": "127.0.0.1:9", "RESEARCH_EMBEDDED": "never"}
    result = CliRunner().invoke(build_app(), [*command, "--port", str(taken)], env=env)
    assert result.exit_code == 2, result.output
    assert f"Error: Cannot listen on 127.0.0.1:{taken}: Address already in use" in result.output
