"""A decision sent to a waiting report (approve, reject, revise, edit, a plan review, the
answers, a raised budget) on the embedded default makes sure of the supervised worker and
waits for it to poll: the decision is an Update, which only a worker accepts. Found in a
new user's trial: after `research server --stop` (or a reboot) `research plan ID --approve`
started the server but no worker and was refused "No worker is running for task queue
'research' ... start one with `research worker`"; `research result ID` was the way out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from durable_research import client as rc
from durable_research.cli import build_app
from durable_research.client import research as cr
from durable_research.client import workers
from durable_research.client.reports import ReportState
from durable_research.contract.report import RunStatus
from durable_research.contract.review import ReviewOutcome
from durable_research.embedded import local_worker

ID = "report-0123456789ab"


class Conn:
    client: Any = object()
    embedded = None


def _env(tmp_path: Path) -> dict[str, str]:
    return {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
            "LLM_API_BASE": "http://127.0.0.1:1/v1", "RESEARCH_ENV_FILE": "/dev/null",
            "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
            "RESEARCH_DATA_DIR": str(tmp_path / "data"), "SEARCH_PROVIDER": "none"}


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: the worker made sure of, polls seen, the decision sent.
    The worker polls from the second look on (it takes a while to start)."""
    seen: list[str] = []

    async def connect(*_: object, **__: object) -> Conn:
        return Conn()

    def ensure_worker(settings: Any, workers: int = 1) -> object:
        seen.append("worker")
        return object()

    async def polling(client: Any, task_queue: str, activities: bool = False) -> int:
        seen.append("poll")
        return int(seen.count("poll") > 1)

    async def send_review(client: Any, workflow_id: str, review: Any) -> ReviewOutcome:
        seen.append("decision")
        return ReviewOutcome(message="Approved; writing the report.")

    async def review_plan(client: Any, workflow_id: str, review: Any) -> list[str]:
        seen.append("decision")
        return ["q1"]

    async def describe(client: Any, workflow_id: str,
                       with_query: bool | None = None) -> ReportState:
        return ReportState(workflow_id, RunStatus.RUNNING)

    monkeypatch.setattr(rc, "connect", connect)
    monkeypatch.setattr(rc, "describe_report", describe)
    monkeypatch.setattr(local_worker, "ensure_worker", ensure_worker)
    monkeypatch.setattr(workers, "workers_polling", polling)
    monkeypatch.setattr(rc, "send_review", send_review)
    monkeypatch.setattr(cr, "review_plan", review_plan)
    return seen


@pytest.mark.parametrize("args", [["approve", ID], ["plan", ID, "--approve"]])
def test_a_decision_waits_for_the_supervised_worker(events: list[str], tmp_path: Path,
                                                   args: list[str]) -> None:
    result = CliRunner().invoke(build_app(), args, env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert events[0] == "worker" and events[-1] == "decision", events
    assert events.index("decision") > events.index("poll"), events
    assert events.count("poll") == 2, events
