"""The tools: each reads its arguments, calls the client, and returns text.

Every check of a value is the client's (``prepare_report``, ``review_input``,
``parse_format``, ``check_sources_within`` ...), as for the CLI and the web page;
only what MCP adds (``wait``, ``limit``) is checked here.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from mcp.types import ContentBlock, ResourceLink, TextContent
from pydantic import BeforeValidator, Field
from temporalio.client import Client

from durable_research import client as rc
from durable_research.client import research as cr
from durable_research.client.draft import draft_sections_async
from durable_research.client.files import (
    MEDIA_TYPES,
    is_text_format,
    read_report_file,
    report_file_key,
)
from durable_research.client.numbers import number_in
from durable_research.client.options import Spelling
from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.client.present import answers_sent, plan_lines, plan_review_done
from durable_research.client.reports import refuse_ended_without_report
from durable_research.client.requests import parse_format, require_question
from durable_research.client.review import plan_review_input, review_input
from durable_research.client.watch import settle
from durable_research.client.workers import workers_here
from durable_research.config import Settings
from durable_research.contract.report import KNOWN_FORMATS, ReportResult
from durable_research.contract.research import Depth
from durable_research.contract.review import (
    PLAN_REVIEW_ACTIONS,
    REVIEW_ACTIONS,
    AnswersInput,
    PlanReviewAction,
    ReviewAction,
)
from durable_research.errors import UserError
from durable_research.mcp import render
from durable_research.mcp.names import (
    DEFAULT_FORMATS,
    MAX_WAIT_S,
    REVIEWER,
    Tool,
    report_uri,
)
from durable_research.research.extract import SUPPORTED_SUFFIXES

Id = Annotated[str, Field(description="The report's id, as start_research or list_reports "
                                      "gave it")]


def _bool_as_text(value: object) -> object:
    """A JSON ``true``/``false`` kept as its text, so that the check refuses it by name:
    pydantic takes ``true`` for the number 1 (``wait: true`` waited one second)."""
    return str(value).lower() if isinstance(value, bool) else value


# Numbers, or numbers as text (some clients send every argument as text): checked by
# check_wait/check_limit with one line each, never the SDK's validation error.
Wait = Annotated[float | str, BeforeValidator(_bool_as_text), Field(
    description=f"Seconds to wait (0 to {MAX_WAIT_S}) until the report has ended or waits "
                "for a review")]
Limit = Annotated[int | str, BeforeValidator(_bool_as_text), Field(
    description=f"How many (1 to {rc.MAX_LIST})")]


@dataclass
class McpContext:
    """What every tool call shares.

    Args:
        settings: The client's settings (Temporal, store, limits).
        client: The Temporal client.
        source_roots: Folders whose documents ``sources`` may name (resolved); none:
            local sources are off.
    """

    settings: Settings
    client: Client
    source_roots: list[Path] = field(default_factory=list)


def check_wait(wait: float | str) -> float:
    """``wait`` as seconds within 0..MAX_WAIT_S.

    Raises:
        UserError: Not a number, or outside.
    """
    value = number_in(wait)
    if not math.isfinite(value):
        raise UserError(f"wait must be a number of seconds from 0 to {MAX_WAIT_S}, not "
                        f"{str(wait)[:40]!r}", f"e.g. wait={MAX_WAIT_S}")
    if not 0 <= value <= MAX_WAIT_S:
        raise UserError(f"wait must be between 0 and {MAX_WAIT_S} seconds, not {value:g}",
                        f"call {Tool.GET_STATUS} again to wait longer")
    return value


_LIMIT_HINT = "e.g. limit=20 for the 20 most recent"


def check_limit(limit: int | str) -> int:
    """``limit`` as a whole number within 1..MAX_LIST.

    Raises:
        UserError: Not a whole number, or outside.
    """
    text = limit.strip() if isinstance(limit, str) else str(limit)
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise UserError(f"limit must be a whole number from 1 to {rc.MAX_LIST}, "
                        f"not {text[:40]!r}", _LIMIT_HINT)
    value = int(text)
    if not 1 <= value <= rc.MAX_LIST:
        raise UserError(f"limit must be between 1 and {rc.MAX_LIST}, not {value}", _LIMIT_HINT)
    return value


async def finished(client: Client, workflow_id: str) -> ReportResult:
    """A finished report's result.

    Raises:
        UserError: Unknown id, or the report has no result (yet).
    """
    state = await rc.describe_report(client, workflow_id)
    refuse_ended_without_report(state)
    if state.result is None:
        step = state.query.step if state.query else state.status
        raise UserError(f"Report {workflow_id} has no result yet (step: {step})",
                        f"{Tool.GET_STATUS}(id, wait={MAX_WAIT_S}) until it is completed")
    return state.result


class ResearchTools:
    """The tool functions (their docstrings are what the assistant reads)."""

    def __init__(self, ctx: McpContext) -> None:
        self.ctx = ctx

    async def start_research(
        self,
        question: Annotated[str, Field(description="The research question")],
        depth: Annotated[str, Field(
            description="quick (one answer, no sources), standard or deep",
            json_schema_extra={"enum": [d.value for d in Depth]})] = Depth.STANDARD,
        sources: Annotated[list[str] | None, Field(
            description="Absolute paths of local documents or folders to research ("
                        f"{', '.join(sorted(SUPPORTED_SUFFIXES))}); only under the folders "
                        "the server allows")] = None,
        review: Annotated[bool, Field(
            description="Wait for your review of the draft before the report is written"
        )] = False,
        review_plan: Annotated[bool, Field(
            description="Wait for your review of the research plan first")] = False,
        clarify: Annotated[bool, Field(
            description="Let the model ask you up to 3 clarifying questions before it plans"
        )] = False,
        formats: Annotated[str, Field(
            description=f"Comma-separated subset of {','.join(KNOWN_FORMATS)}")
        ] = DEFAULT_FORMATS,
        language: Annotated[str, Field(
            description="The language to write the plan, notes and report in: a code or "
                        "name (de, pt-BR, German); empty: the question's language")] = "",
        wait: Wait = 0,
    ) -> str:
        """Start a research report and return its id at once (a report takes minutes).

        Then call get_status(id, wait=60) until it has ended or waits for a review.
        """
        wait_s = check_wait(wait)
        require_question(question)
        paths = sources or []
        cr.check_sources_within(paths, self.ctx.source_roots)
        prepared = await prepare_report(self.ctx.settings, ReportRequest(
            prompt=question, review=review, formats=formats,
            research=cr.ResearchOptions(sources=paths, depth=depth, review_plan=review_plan,
                                        clarify=clarify, language=language,
                                        spelling=Spelling.FIELD)), workers_here=workers_here)
        handle = await rc.start_report(self.ctx.client, self.ctx.settings, prepared.params)
        state = await settle(self.ctx.client, handle.id, wait_s)
        return "\n".join([render.started_text(handle.id, prepared.sources), *prepared.notes,
                          render.status_text(state)])

    async def get_status(self, id: Id, wait: Wait = 0) -> str:  # noqa: A002 - the tool's argument
        """Where a report is: step, costs, research progress; the plan or draft when it
        waits for your review; its files when it has finished."""
        state = await settle(self.ctx.client, id, check_wait(wait))
        research = state.query.research if state.query else None
        return render.status_text(
            state, await draft_sections_async(self.ctx.settings, id, research))

    async def answer_questions(
        self,
        id: Id,  # noqa: A002 - the tool's argument
        answers: Annotated[list[str], Field(
            description="One answer per clarifying question, in order ('' skips one; "
                        "none at all: plan from the question as written)")],
    ) -> str:
        """Answer a report's clarifying questions (clarify=true); then it plans."""
        await cr.answer_questions(self.ctx.client, id,
                                  AnswersInput(answers=answers, reviewer=REVIEWER))
        return answers_sent(answers)

    async def get_plan(self, id: Id) -> str:  # noqa: A002 - the tool's argument
        """A report's research plan (its sub-questions)."""
        state = await rc.describe_report(self.ctx.client, id, with_query=True)
        return render.plan_text(state)

    async def review_plan(
        self,
        id: Id,  # noqa: A002 - the tool's argument
        action: Annotated[str, Field(description="approve, edit or reject",
                                     json_schema_extra={"enum": list(PLAN_REVIEW_ACTIONS)})],
        edits: Annotated[list[str] | None, Field(
            description="With edit: the new sub-questions, replacing the plan")] = None,
        allow_domains: Annotated[list[str] | None, Field(
            description="Only use web pages from these domains")] = None,
        deny_domains: Annotated[list[str] | None, Field(
            description="Never use web pages from these domains")] = None,
    ) -> str:
        """Approve, edit or reject a research plan waiting for review (review_plan=true)."""
        params = plan_review_input(action, edits, allow_domains, deny_domains, REVIEWER)
        plan = await cr.review_plan(self.ctx.client, id, params)
        lines = [plan_review_done(action)]
        if action != PlanReviewAction.REJECT:
            lines += plan_lines(plan)
        return "\n".join(lines)

    async def review_draft(
        self,
        id: Id,  # noqa: A002 - the tool's argument
        action: Annotated[str, Field(description="approve, edit, revise or reject",
                                     json_schema_extra={"enum": list(REVIEW_ACTIONS)})],
        text: Annotated[str, Field(
            description="With edit: the whole new draft; with revise: what should change"
        )] = "",
    ) -> str:
        """Decide on a draft waiting for review (review=true): approve it (the report is
        written), edit it, have it revised, or reject it."""
        revise = action == ReviewAction.REVISE
        review = review_input(action, text="" if revise else text,
                              feedback=text if revise else "", reviewer=REVIEWER)
        outcome = await rc.send_review(self.ctx.client, id, review)
        if revise:
            return f"{outcome.message}\n\nDraft version {outcome.version}:\n{outcome.draft}"
        return outcome.message

    async def raise_budget(
        self,
        id: Id,  # noqa: A002 - the tool's argument
        # Numbers or text: checked by the client with the CLI's rule and message.
        usd: Annotated[float | str, Field(
            description="New cost cap in USD, e.g. 0.50 (0: keep)")] = 0.0,
        tokens: Annotated[float | str, Field(
            description="New cap on LLM tokens, a whole number (0: keep)")] = 0,
        pages: Annotated[float | str, Field(
            description="New cap on pages fetched, a whole number (0: keep)")] = 0,
    ) -> str:
        """Raise a running report's budget so that its research can go on."""
        out = await cr.raise_budget(self.ctx.client, id, cr.budget_raise_input(
            usd, tokens, pages, ("usd", "tokens", "pages")))
        return out.message

    async def get_report(
        self,
        id: Id,  # noqa: A002 - the tool's argument
        format: Annotated[str, Field(  # noqa: A002 - the tool's argument
            description="md or html: the text; pdf or docx: a resource link (and its path "
                        "here)",
            json_schema_extra={"enum": list(KNOWN_FORMATS)})] = KNOWN_FORMATS[1],
    ) -> list[ContentBlock]:
        """A finished report: its Markdown (or HTML) text, or its PDF or Word file as a
        resource."""
        fmt = parse_format(format)
        result = await finished(self.ctx.client, id)
        if not is_text_format(fmt):
            key = report_file_key(id, result, fmt)
            paths = [p for p in result.paths if p.endswith(f".{fmt}") and Path(p).is_file()]
            here = paths[0] if paths else ""
            text = f"{fmt.upper()} of report {id}: resource {report_uri(id, fmt)}"
            return [TextContent(text=text + (f"; on this machine: {here}" if here else "")),
                    ResourceLink(uri=report_uri(id, fmt), name=key.rsplit("/", 1)[-1],
                                 mime_type=MEDIA_TYPES[fmt])]
        stored = await asyncio.to_thread(read_report_file, self.ctx.settings, id, result, fmt)
        return [TextContent(text=stored.data.decode("utf-8", errors="replace"))]

    async def list_reports(
        self,
        limit: Limit = 20,
    ) -> str:
        """Recent reports, newest first: id, status, start, question, where it is."""
        return render.reports_text(await rc.list_reports(self.ctx.client, check_limit(limit)))

    def by_name(self) -> dict[Tool, object]:
        """Each tool's function, by its name."""
        return {Tool(name): getattr(self, name) for name in Tool}
