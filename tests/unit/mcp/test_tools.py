"""The tools' own checks, through the SDK's in-process client (nothing reaches Temporal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from mcp import Client
from mcp.types import TextContent

from durable_research import client as rc
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.mcp.names import MAX_WAIT_S, Tool
from durable_research.mcp.server import build_server
from durable_research.mcp.tools import McpContext, check_limit, check_wait
from durable_research.testing.ports import free_port

# A Temporal client these calls never reach: each is refused before it.
NO_TEMPORAL = cast(Any, None)


@pytest.mark.parametrize(("tool", "args", "needle"), [
    (Tool.GET_STATUS, {"id": "r", "wait": MAX_WAIT_S + 1}, "wait must be between 0 and 60"),
    (Tool.START_RESEARCH, {"question": "  "}, "The question is empty"),
    (Tool.START_RESEARCH, {"question": "q", "sources": ["/tmp"]}, "Local sources are off"),
    (Tool.START_RESEARCH, {"question": "q", "formats": "odt"}, "Unknown output format"),
    (Tool.START_RESEARCH, {"question": "q", "language": "Klingon"}, "Unknown language"),
    # The client's checks name the tool's arguments, not the CLI's options.
    (Tool.START_RESEARCH, {"question": "q", "depth": "quick", "review_plan": True},
     "depth 'quick' writes a single answer without sources. Hint: drop "
     "sources/review_plan/clarify or use depth 'standard'"),
    (Tool.LIST_REPORTS, {"limit": rc.MAX_LIST + 1}, f"limit must be between 1 and {rc.MAX_LIST}"),
    # Found in a new user's trial: ``wait: true`` (the README's "with wait") was taken as
    # 1 second, so start_research returned at once; text was the SDK's validation error
    # over four lines. Both are the tool's one-line refusal now.
    (Tool.GET_STATUS, {"id": "r", "wait": True},
     "wait must be a number of seconds from 0 to 60, not 'true'"),
    (Tool.START_RESEARCH, {"question": "q", "wait": "soon"},
     "wait must be a number of seconds from 0 to 60, not 'soon'"),
    (Tool.LIST_REPORTS, {"limit": "many"},
     "limit must be a whole number from 1 to 1000, not 'many'"),
    (Tool.LIST_REPORTS, {"limit": True},
     "limit must be a whole number from 1 to 1000, not 'true'"),
    (Tool.REVIEW_PLAN, {"id": "r", "action": "maybe"}, "Unknown plan review action"),
    (Tool.REVIEW_DRAFT, {"id": "r", "action": "approve", "text": "x"}, "sends no text"),
    (Tool.GET_REPORT, {"id": "r", "format": "pdf,md"}, "Unknown report format"),
    # The CLI's rule and message for a cap, not the SDK's validation error.
    (Tool.RAISE_BUDGET, {"id": "r", "usd": "abc"},
     "usd: 'abc' is not an amount in US dollars (e.g. 0.50)"),
    (Tool.RAISE_BUDGET, {"id": "r", "usd": -1}, "usd: -1 is below 0"),
    (Tool.RAISE_BUDGET, {"id": "r", "pages": 2.5}, "pages: '2.5' is not a whole number"),
    # Found in a new user's trial: a wrong type, a missing or an unknown argument got the
    # SDK's validation error over four lines (a type code, a pydantic.dev link), and an
    # unknown one (``wiat`` for ``wait``) was dropped without a word.
    (Tool.GET_STATUS, {}, "id is required"),
    (Tool.GET_STATUS, {"id": 5}, "id must be text, not 5"),
    (Tool.START_RESEARCH, {"question": "q", "sources": "/docs"},
     "sources must be a list, not \"/docs\""),
    (Tool.ANSWER_QUESTIONS, {"id": "r", "answers": "yes"}, "answers must be a list"),
    (Tool.REVIEW_PLAN, {"id": "r", "action": "edit", "edits": ["a", 2]},
     "edits[1] must be text, not 2"),
    (Tool.START_RESEARCH, {"question": "q", "review": "maybe"},
     "review must be true or false, not \"maybe\""),
    (Tool.START_RESEARCH, {"question": None}, "question must be text, not null"),
    (Tool.GET_STATUS, {"id": "r", "wiat": 30},
     "get_status has no argument 'wiat'; its arguments: id, wait"),
])
async def test_mistakes_are_one_line_tool_errors(tool: Tool, args: dict[str, object],
                                                 needle: str, tmp_path: Path) -> None:
    settings = Settings(output_dir=str(tmp_path / "out"), store=str(tmp_path / "store"))
    async with Client(build_server(McpContext(settings, NO_TEMPORAL))) as c:
        refused = await c.call_tool(tool, args)
    texts = [x.text for x in refused.content if isinstance(x, TextContent)]
    assert refused.is_error and len(texts) == 1 and needle in texts[0], texts
    assert "\n" not in texts[0] and "Traceback" not in texts[0] and "pydantic" not in texts[0]


async def test_every_tool_is_listed_with_a_description() -> None:
    async with Client(build_server(McpContext(Settings(), NO_TEMPORAL))) as c:
        tools = (await c.list_tools()).tools
        templates = (await c.list_resource_templates()).resource_templates
    assert {t.name for t in tools} == set(Tool)
    assert all(t.description and not t.description.startswith(" ") for t in tools)
    assert [t.uri_template for t in templates] == [
        f"research://reports/{{report_id}}/report.{fmt}" for fmt in ("pdf", "md", "html", "docx")]


def test_numbers_sent_as_text_are_taken() -> None:
    """Some clients send every argument as text: "30" is 30 seconds, as 30 is."""
    assert check_wait("30") == 30.0 and check_wait(12.5) == 12.5 and check_wait(0) == 0.0
    assert check_limit("5") == 5 and check_limit(rc.MAX_LIST) == rc.MAX_LIST


async def test_research_options_with_nothing_to_research_are_refused(tmp_path: Path) -> None:
    """As the CLI, the page and the HTTP API refuse them (client/prepare): offline, with no
    documents, review_plan=true started a report that never showed a plan (a new user's
    trial); MCP did not say which worker runs the report, so it was never refused."""
    settings = Settings(temporal_address=f"127.0.0.1:{free_port()}",
                        data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "out"),
                        store=str(tmp_path / "store"), search_provider="none",
                        search_ddgs_probe=DDGS_PROBE_OFF)
    async with Client(build_server(McpContext(settings, NO_TEMPORAL))) as c:
        refused = await c.call_tool(Tool.START_RESEARCH, {"question": "q", "review_plan": True})
    texts = [x.text for x in refused.content if isinstance(x, TextContent)]
    assert refused.is_error and len(texts) == 1, texts
    assert "review_plan acts on research, but there is no web search" in texts[0], texts
