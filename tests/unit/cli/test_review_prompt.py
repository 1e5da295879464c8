"""`research review ID` with no one to answer (standard input at its end) says how to
decide without the prompt, exit 2; it printed click's bare "Aborted." with exit 1."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from rich.prompt import Prompt
from temporalio.client import Client
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app
from durable_research.contract.report import ReportStep
from durable_research.embedded import local_worker


@dataclass
class Query:
    step: str = ReportStep.REVIEW
    draft: str = "# Draft\n\nText [1]."
    versions: int = 1


@dataclass
class State:
    query: Query = field(default_factory=Query)
    status: str = "running"


class Conn:
    client: Any = object()
    embedded = None


def test_review_without_an_answer_names_the_commands_that_decide(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def connect(*_: object, **__: object) -> Conn:
        return Conn()

    async def describe(client: Client, workflow_id: str,
                       with_query: bool | None = None) -> State:
        return State()

    def ask(prompt: str, **_: object) -> str:
        raise EOFError

    monkeypatch.setattr(rc, "connect", connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    # A cluster's worker (not the embedded server's supervised one, which a decision
    # would make sure of: tests/unit/cli/test_decision_worker.py).
    monkeypatch.setattr(local_worker, "ensure_worker", lambda settings, workers=1: None)
    monkeypatch.setattr(Prompt, "ask", ask)
    result = CliRunner().invoke(build_app(), ["review", "report-1"],
                                env={"COLUMNS": "300", "TERM": "dumb"})
    assert result.exit_code == 2, result.output
    assert "Draft" in result.output  # shown first
    lines = result.output.strip().splitlines()
    assert lines[-2].startswith("Error: No decision: standard input ended")
    assert "`research approve report-1`" in lines[-1]
    assert "`research edit report-1 --file F`" in lines[-1]
    assert "Aborted" not in result.output and "Traceback" not in result.output
