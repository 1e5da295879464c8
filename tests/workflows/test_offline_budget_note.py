"""A dollar cap with a model litellm cannot price gets a note that it could not be enforced,
but not with the embedded offline model, whose calls cost nothing: its reports said "The
model's prices are unknown" next to "Cost: $0.00 (offline model)"."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client

from durable_research.contract.llm import OFFLINE_MODELS, Usage
from durable_research.contract.report import ReportInput
from durable_research.contract.research import Budget
from durable_research.workflows.report import GenerateReportWorkflow

from . import mocks
from .conftest import WorkerFactory

UNPRICED_NOTE = "The model's prices are unknown"


def unpriced(tokens: int = 30, cost: float | None = None) -> Usage:
    """Usage as litellm reports a model without a price: no cost."""
    return Usage(prompt_tokens=tokens // 3, completion_tokens=tokens - tokens // 3,
                 total_tokens=tokens, cost_usd=None)


@pytest.mark.parametrize(("model", "noted"), [(min(OFFLINE_MODELS), False),
                                              ("openai/my-own-finetune", True)])
async def test_the_unenforced_dollar_cap_is_noted_only_for_a_model_that_costs(
    client: Client, task_queue: str, start_worker: WorkerFactory,
    monkeypatch: pytest.MonkeyPatch, model: str, noted: bool,
) -> None:
    monkeypatch.setattr(mocks, "MODEL", model)
    monkeypatch.setattr(mocks, "usage", unpriced)
    async with start_worker(mocks.MockActivities().activities()):
        handle = await client.start_workflow(
            GenerateReportWorkflow.run,
            ReportInput(prompt="How do tardigrades survive?", depth="standard",
                        budget=Budget(max_usd=0.5)),
            id=f"report-{uuid.uuid4().hex[:12]}", task_queue=task_queue)
        result = await handle.result()
    assert result.status == "completed"
    assert any(UNPRICED_NOTE in n for n in result.research_notes) is noted, \
        result.research_notes
    # Every front end shows the note: it named the CLI's --budget-usd and --max-tokens to
    # users of the page and the API.
    assert not any("--" in n for n in result.research_notes), result.research_notes
