"""`research run/start/schedule add --email` with no SMTP_HOST: refused before anything
starts when this machine's worker would send it, a note at the start when a cluster's
worker may (found in a new user's trial: the report ran, then "e-mail not sent")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app, reports, schedule
from durable_research.client.mail import MAIL_ELSEWHERE_NOTE
from durable_research.errors import UserError
from durable_research.testing.ports import free_port

REACHED = "the command went on to connect"


async def _stop_at_connect(*args: Any, **kwargs: Any) -> None:
    raise UserError(REACHED)


def _env(tmp_path: Path, address: str) -> dict[str, str]:
    return {"RESEARCH_ENV_FILE": "/dev/null", "RESEARCH_CONFIG_FILE": str(tmp_path / "c.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"), "LLM_MODEL": "openai/x",
            "LLM_API_KEY": "k", "LLM_API_BASE": "http://127.0.0.1:9/v1",
            "TEMPORAL_ADDRESS": address, "RESEARCH_EMBEDDED": "auto",
            "SEARCH_PROVIDER": "none", "COLUMNS": "300"}


COMMANDS = [["run"], ["start"], ["schedule", "add", "--every", "day 08:00"]]


@pytest.fixture(autouse=True)
def _no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "connect_cli", _stop_at_connect)
    monkeypatch.setattr(schedule, "connect_cli", _stop_at_connect)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_embedded_servers_worker_without_smtp_refuses_first(
        tmp_path: Path, command: list[str]) -> None:
    """Nothing answers at the local address: the embedded server would be started, and
    its worker has this machine's settings."""
    env = _env(tmp_path, f"127.0.0.1:{free_port()}")
    result = CliRunner().invoke(build_app(), [*command, "--email", "me@example.com", "q"],
                                env=env)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Error: --email: SMTP_HOST is not set, so this machine's worker "
                        "cannot send the report")
    assert "set SMTP_HOST" in lines[1] and "drop --email" in lines[1]
    assert REACHED not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_a_clusters_worker_may_have_smtp_so_it_starts_with_a_note(
        tmp_path: Path, command: list[str]) -> None:
    env = _env(tmp_path, "temporal.example.org:7233")
    result = CliRunner().invoke(build_app(), [*command, "--email", "me@example.com", "q"],
                                env=env)
    assert MAIL_ELSEWHERE_NOTE in result.output
    assert REACHED in result.output  # it went on


def test_with_smtp_nothing_is_said(tmp_path: Path) -> None:
    env = {**_env(tmp_path, f"127.0.0.1:{free_port()}"), "SMTP_HOST": "mail.example.org"}
    result = CliRunner().invoke(build_app(), ["start", "--email", "me@example.com", "q"],
                                env=env)
    assert REACHED in result.output and "SMTP_HOST" not in result.output
