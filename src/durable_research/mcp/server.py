"""The MCP server: the tools and the report resources, and serving them over stdio.

A user mistake (unknown id, bad depth or action, a path outside the allowed folders)
becomes a tool error of one line with a hint; nothing else is caught here, so a bug
is logged with its traceback (on stderr) and the assistant sees only the tool's name.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import ValidationError
from temporalio.service import RPCError

from durable_research import __version__
from durable_research.client.files import MEDIA_TYPES, is_text_format, read_report_file
from durable_research.contract.report import KNOWN_FORMATS
from durable_research.errors import UserError
from durable_research.mcp.names import REPORT_URI, SERVER_NAME, Tool
from durable_research.mcp.render import argument_error, error_text, unknown_arguments_error
from durable_research.mcp.tools import McpContext, ResearchTools, finished
from durable_research.worker.hosted import reports_served

INSTRUCTIONS = (
    "Research reports with cited sources, run durably on Temporal. A report takes "
    f"minutes: {Tool.START_RESEARCH} returns its id at once; call {Tool.GET_STATUS}(id, "
    "wait=60) until it has ended or waits for you (answers to its questions with "
    "clarify=true, a review of the plan with review_plan=true, of the draft with "
    f"review=true), then {Tool.GET_REPORT}(id, 'md'). "
    f"{Tool.LIST_REPORTS} shows earlier reports."
)


def user_errors(
    fn: Callable[..., Awaitable[Any]], refusal: type[Exception] = ToolError
) -> Callable[..., Awaitable[Any]]:
    """``fn`` with user mistakes and Temporal's refusals as ``refusal`` (one line)."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except UserError as exc:
            raise refusal(error_text(exc)) from None
        except RPCError as exc:
            raise refusal(error_text(UserError(f"Temporal refused: {exc.message}"))) from None

    return wrapper


class ResearchServer(MCPServer):
    """The SDK's server, with the arguments of a call checked as the tools check values:
    a wrong type or a missing argument is one line naming it (the SDK's validation error
    is four lines with its type codes and a link), and an unknown argument is refused
    (the SDK drops it: ``wiat: 30`` waited 0 s without a word)."""

    def __init__(self, arguments: dict[str, tuple[str, ...]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Each tool's argument names, as its function declares them.
        self.arguments = arguments

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context[Any, Any] | None = None) -> Any:
        known = self.arguments.get(name)
        unknown = sorted(set(arguments) - set(known)) if known is not None else []
        if unknown and known is not None:
            raise ToolError(f"Error executing tool {name}: "
                            f"{unknown_arguments_error(name, unknown, known)}")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                raise
            # The cause stays the validation error: the SDK logs its field names only.
            raise ToolError(f"Error executing tool {name}: "
                            f"{argument_error(name, cause.errors())}") from cause


def build_server(ctx: McpContext) -> MCPServer:
    """The server with every tool of :class:`Tool` and a resource per report format."""
    tools = ResearchTools(ctx).by_name()
    arguments = {}
    for name, fn in tools.items():
        assert callable(fn)
        arguments[str(name)] = tuple(inspect.signature(fn).parameters)
    server = ResearchServer(arguments, name=SERVER_NAME, instructions=INSTRUCTIONS,
                            version=__version__, log_level="WARNING")
    for name, fn in tools.items():
        assert callable(fn)
        # Plain text (or content blocks) for the assistant, not a JSON copy of it.
        server.add_tool(user_errors(fn), name=name, description=inspect.getdoc(fn),
                        structured_output=False)
    for fmt in KNOWN_FORMATS:
        server.resource(REPORT_URI.replace("{fmt}", fmt), name=f"report.{fmt}",
                        description=f"A finished report's {fmt} file",
                        mime_type=MEDIA_TYPES[fmt])(
            user_errors(_reader(ctx, fmt), refusal=ResourceError))
    return server


def _reader(ctx: McpContext, fmt: str) -> Callable[[str], Awaitable[str | bytes]]:
    """Reads a finished report's file of format ``fmt`` (text, or bytes for PDF and Word)."""

    async def read(report_id: str) -> str | bytes:
        result = await finished(ctx.client, report_id)
        stored = await asyncio.to_thread(read_report_file, ctx.settings, report_id, result, fmt)
        return stored.data.decode("utf-8", errors="replace") if is_text_format(fmt) \
            else stored.data

    return read


async def serve_stdio(ctx: McpContext, with_worker: bool = True) -> None:
    """Serve over stdin/stdout until the client closes them, hosting a worker if asked.

    Stdout carries the protocol: nothing else may print to it.
    """
    server = build_server(ctx)
    async with reports_served(ctx.settings, ctx.client, with_worker):
        await server.run_stdio_async()


__all__ = ["McpContext", "build_server", "serve_stdio"]
