"""Pages: the reports list, the new-report form (and starting one), a report's page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.client import research as cr
from durable_research.client.draft import draft_sections_async
from durable_research.client.options import Spelling
from durable_research.client.prepare import ReportRequest, prepare_report, web_search_here
from durable_research.client.workers import workers_here
from durable_research.contract.report import DEFAULT_FORMATS, DEFAULT_PROMPT, KNOWN_FORMATS
from durable_research.contract.research import AgentMode, Depth
from durable_research.errors import UserError
from durable_research.research.extract import SUPPORTED_SUFFIXES
from durable_research.research.websearch import WebSearchChoice, describe_web_search
from durable_research.web.common import context, load_report, temporal, ui_link
from durable_research.web.review import domain_list
from durable_research.web.templating import render
from durable_research.web.uploads import chosen, ingest_uploads
from durable_research.web.views import HTML_FORMAT, report_view, started_notice, started_query

router = APIRouter()
LIST_LIMIT = 50


@dataclass
class NewReportForm:
    """What the form shows (again, after a mistake: nothing typed is lost)."""

    question: str = ""
    depth: str = Depth.STANDARD
    web: bool = True
    # HTML too by default: the report page shows it inline.
    formats: list[str] = field(default_factory=lambda: [*DEFAULT_FORMATS, HTML_FORMAT])
    email: str = ""
    review: bool = False
    review_plan: bool = False
    prefer_domains: str = ""
    prefer_paths: str = ""
    clarify: bool = False
    # "auto", "on" or "off" (AgentMode).
    agent: str = AgentMode.AUTO
    # A language code or name; blank: the question's language.
    language: str = ""


async def _new_page(request: Request, form: NewReportForm, status: int = 200,
                    error: UserError | None = None) -> Response:
    try:
        web_search = await web_search_here(context(request).settings)
    except UserError as exc:  # SEARCH_PROVIDER without its URL or key: say so here too
        web_search = WebSearchChoice("", f"{exc.message} ({exc.hint})")
    return render(request, "new.html", status, form=form, depths=[d.value for d in Depth],
                  agent_modes=[m.value for m in AgentMode],
                  known_formats=KNOWN_FORMATS, source_suffixes=sorted(SUPPORTED_SUFFIXES),
                  default_prompt=DEFAULT_PROMPT, max_prompt=rc.MAX_PROMPT_CHARS,
                  error=error.message if error else "", hint=error.hint if error else "",
                  web_search=describe_web_search(web_search))


@router.get("/")
async def index(request: Request) -> Response:
    """Recent reports with their status."""
    reports = await rc.list_reports(await temporal(request), LIST_LIMIT)
    return render(request, "index.html", reports=reports)


@router.get("/new")
async def new_report(request: Request) -> Response:
    """The empty form."""
    return await _new_page(request, NewReportForm())


@router.get("/reports")
async def reports_address() -> Response:
    """The address a refused form leaves in the address bar (it posts here): opened again,
    it shows the reports instead of "Method Not Allowed"."""
    return RedirectResponse("/", status_code=303)


@router.post("/reports")
async def create_report(
    request: Request,
    question: Annotated[str, Form()] = "",
    depth: Annotated[str, Form()] = Depth.STANDARD,
    web: Annotated[bool, Form()] = False,
    formats: Annotated[list[str] | None, Form()] = None,
    email: Annotated[str, Form()] = "",
    review: Annotated[bool, Form()] = False,
    review_plan: Annotated[bool, Form()] = False,
    sources: Annotated[list[UploadFile] | None, File()] = None,
    prefer_domains: Annotated[str, Form()] = "",
    prefer_paths: Annotated[str, Form()] = "",
    clarify: Annotated[bool, Form()] = False,
    agent: Annotated[str, Form()] = AgentMode.AUTO,
    language: Annotated[str, Form()] = "",
) -> Response:
    """Validate the form, store uploaded documents, start the workflow, go to its page."""
    formats = formats or []
    form = NewReportForm(question, depth, web, formats, email, review, review_plan,
                         prefer_domains, prefer_paths, clarify, agent, language)
    settings = context(request).settings
    uploads = chosen(sources or [])
    try:
        options = cr.ResearchOptions(
            sources=[u.filename or "" for u in uploads], depth=depth, web=web,
            review_plan=review_plan, clarify=clarify, agent=cr.parse_agent_mode(agent),
            language=language, spelling=Spelling.FORM,
            prefer_domains=domain_list(prefer_domains),
            # File names may hold spaces: one per line or comma.
            prefer_paths=[p.strip() for p in re.split(r"[,\n]", prefer_paths) if p.strip()])

        async def ingest() -> cr.PreparedSources:
            return await ingest_uploads(settings, uploads)

        prepared = await prepare_report(settings, ReportRequest(
            question, review, ",".join(formats), email=email,
            research=options), ingest, workers_here=workers_here)
        params = prepared.params
    except UserError as exc:
        return await _new_page(request, form, 400, exc)
    client = await temporal(request)
    try:
        handle = await rc.start_report(client, settings, params)
    except RPCError as exc:
        return await _new_page(request, form, 503, UserError(
            f"Could not start the workflow: {exc.message}", "is the Temporal server running?"))
    context(request).left_out.put(handle.id, prepared.sources.skipped)
    # prepare_report's notes: the e-mail or the preferred sites depend on a worker elsewhere.
    return RedirectResponse(f"/reports/{handle.id}{started_query(prepared.notes)}",
                            status_code=303)


@router.get("/reports/{report_id}")
async def report_page(request: Request, report_id: str, done: str = "") -> Response:
    """A report: live progress while it runs, the review panels, the result."""
    state = await load_report(request, report_id)
    research = state.query.research if state.query else None
    return render(request, "report.html", v=report_view(state), notice=started_notice(done),
                  left_out=context(request).left_out.lines(report_id),
                  ui_link=ui_link(request, report_id),
                  draft=await draft_sections_async(context(request).settings, report_id,
                                                   research))
