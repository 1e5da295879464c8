"""Arguments of the wrong type, missing or unknown come back as a tool error of one line
that names the argument and what it takes. Found in a new user's trial: ``get_status`` with
``id: 5`` or no ``id``, ``start_research`` with ``sources: "/docs"`` answered with the
SDK's validation error over four lines (its type code and a pydantic.dev link), and an
unknown argument (``wiat`` for ``wait``) was dropped without a word."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from mcp import Client
from mcp.types import TextContent

from durable_research.config import Settings
from durable_research.mcp.names import Tool
from durable_research.mcp.server import build_server
from durable_research.mcp.tools import McpContext

# A Temporal client these calls never reach: each is refused before it.
NO_TEMPORAL = cast(Any, None)


@pytest.mark.parametrize(("tool", "args", "needle"), [
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
async def test_argument_mistakes_are_one_line(tool: Tool, args: dict[str, object],
                                              needle: str, tmp_path: Path) -> None:
    settings = Settings(output_dir=str(tmp_path / "out"), store=str(tmp_path / "store"))
    async with Client(build_server(McpContext(settings, NO_TEMPORAL))) as c:
        refused = await c.call_tool(tool, args)
    texts = [x.text for x in refused.content if isinstance(x, TextContent)]
    assert refused.is_error and len(texts) == 1 and needle in texts[0], texts
    assert "\n" not in texts[0] and "pydantic" not in texts[0], texts
    assert texts[0].startswith(f"Error executing tool {tool}: "), texts
