"""The embedded offline model is free: its cost is "$0.00 (offline model)", not "unknown"
(litellm has no price for it; found in a new user's trial). Everywhere a cost is shown:
the CLI's and MCP's rows, the web page's usage line, the report's About section."""

from __future__ import annotations

from durable_research.client import present
from durable_research.contract.llm import OFFLINE_MODELS, Usage
from durable_research.contract.report import ReportContent, ReportResult
from durable_research.document.cost import OFFLINE_COST, format_cost
from durable_research.document.render import Paragraph, build_document, plain_text
from durable_research.embedded.localmodel import PACKAGED_MODELS, litellm_model
from durable_research.layout.markdown import markdown_text

EMBEDDED = litellm_model(PACKAGED_MODELS[0].name)


def test_every_packaged_model_is_known_as_offline() -> None:
    """Named once: the model server's litellm name is the one the costs recognise."""
    assert {litellm_model(m.name) for m in PACKAGED_MODELS} <= OFFLINE_MODELS


def test_the_offline_models_unpriced_cost_is_zero_and_says_why() -> None:
    assert format_cost(None, model=EMBEDDED) == OFFLINE_COST == "$0.00 (offline model)"
    assert present.format_cost(None, model=EMBEDDED) == OFFLINE_COST
    # Another unpriced model is still unknown; a price litellm found is still shown.
    assert format_cost(None, model="openai/my-own-server") == "unknown"
    assert format_cost(0.5, model=EMBEDDED) == "$0.5000"


def test_the_front_ends_rows_and_usage_line() -> None:
    result = ReportResult(model=EMBEDDED, usage=Usage(prompt_tokens=10, completion_tokens=2))
    assert dict(present.result_rows(result))["cost"] == OFFLINE_COST
    assert present.format_usage(result.usage, EMBEDDED).endswith(f", {OFFLINE_COST}")


def test_a_running_reports_cost_so_far() -> None:
    from durable_research.client.reports import RUNNING, ReportState
    from durable_research.contract.report import ReportStatus

    state = ReportState("r", RUNNING, query=ReportStatus(step="researching", model=EMBEDDED))
    assert dict(present.status_rows(state))["cost so far"] == OFFLINE_COST


def test_the_reports_about_section() -> None:
    content = ReportContent(title="T", question="Q?", body_markdown="Body", model=EMBEDDED,
                            usage=Usage(1, 2, 3, None))
    facts = build_document(content).blocks[-1]
    texts = [plain_text(item[0].inlines) for item in getattr(facts, "items", ())
             if isinstance(item[0], Paragraph)]
    assert f"Cost: {OFFLINE_COST}" in texts
    assert f"**Cost:** {OFFLINE_COST}" in markdown_text(content).replace("\\", "")
