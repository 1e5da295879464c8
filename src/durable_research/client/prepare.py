"""One action for both front ends: what a person asked for -> a validated workflow input.

The CLI and the web page only read their input (arguments, a form) into a
:class:`ReportRequest` and show what :func:`prepare_report` returns or raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from durable_research.client import options as opt
from durable_research.client.mail import WorkersHere, check_mail, elsewhere
from durable_research.client.requests import build_input, check_output_folder
from durable_research.client.research import (
    PreparedSources,
    ResearchOptions,
    ingest_sources,
    with_research,
)
from durable_research.config import Settings
from durable_research.contract.report import ReportInput
from durable_research.contract.research import AgentMode, Depth
from durable_research.errors import UserError
from durable_research.research.language import Language, resolve_language
from durable_research.research.reachability import Probe, probe_ddgs
from durable_research.research.websearch import ENABLE_HINT, WebSearchChoice, choose_web_search

# Puts the request's local documents into the store (the CLI: paths, the web: uploads).
Ingest = Callable[[], Awaitable[PreparedSources]]


@dataclass
class ReportRequest:
    """A report as asked for, not yet checked (texts as typed)."""

    prompt: str | None = None
    review: bool = False
    formats: str = "pdf"
    # --out as a request to the workers (a folder inside their output root), or None.
    out: str | None = None
    overwrite: bool = False
    email: str | None = None
    model: str | None = None
    research: ResearchOptions = field(default_factory=ResearchOptions)


@dataclass
class PreparedReport:
    """The validated workflow input, and the documents stored for it."""

    params: ReportInput
    sources: PreparedSources = field(default_factory=PreparedSources)
    # The web search the report gets by this machine's settings (None: it searches no
    # web: quick, or --no-web); front ends say it with websearch.describe_web_search.
    web_search: WebSearchChoice | None = None
    # The report's language, and whether it was detected (research.language says it).
    language: Language = field(default_factory=lambda: Language(""))
    # What could not be checked here, one line each, for the front end to say at the
    # start (an e-mail that depends on another machine's worker: client/mail).
    notes: list[str] = field(default_factory=list)


async def web_search_here(settings: Settings, probe: Probe = probe_ddgs) -> WebSearchChoice:
    """The web search a report started from here gets: this machine's settings, and
    DuckDuckGo probed once when auto's choice depends on it.

    Raises:
        ConfigError: SEARCH_PROVIDER names a provider whose URL or key is not set.
    """
    return choose_web_search(settings, await probe(settings))


def check_prefer_domains(options: ResearchOptions, web_search: WebSearchChoice | None,
                         settings: Settings, workers_here: WorkersHere) -> str:
    """``--prefer-domain`` must have web pages to rank, as it must not come with
    ``--no-web`` (``with_research``): with no web search it did nothing, silently.

    Returns:
        A one-line note when this machine has no web search but the report's worker may
        be another's (which may have it), else "".

    Raises:
        UserError: No web search, and the worker is this machine's (it decides with the
            same settings, and the same DuckDuckGo probe: the report's input carries it).
    """
    if not options.prefer_domains or web_search is None or web_search.provider:
        return ""
    prefer = opt.PREFER_DOMAIN.name(options.spelling)
    if workers_here(settings):
        raise UserError(f"{prefer} ranks web pages, but there is no web search "
                        f"({web_search.reason})",
                        f"drop {prefer}, or {ENABLE_HINT}")
    return prefer_domain_note(options.spelling)


# Said at the start of a report with research-only options, no documents and no web search
# here, whose worker may be another machine's: one fixed text (the web page keys it).
SINGLE_ANSWER_NOTE = ("no web search and no documents here: the plan review, clarifying "
                      "questions, page and site limits and the agent count only if the worker "
                      "that runs the report searches the web (else it writes a single answer)")


def research_only(params: ReportInput) -> list[opt.Option]:
    """The options of a checked input that act only on research (a plan, sub-questions,
    pages, the agent): in a single answer they would do nothing."""
    return [o for o, given in (
        (opt.REVIEW_PLAN, params.review_plan), (opt.CLARIFY, params.clarify),
        (opt.MAX_PAGES, params.budget.max_pages), (opt.ALLOW_DOMAIN, params.allow_domains),
        (opt.DENY_DOMAIN, params.deny_domains), (opt.AGENT, params.agent == AgentMode.ON),
        (opt.MAX_STEPS, params.max_steps)) if given]


def check_single_answer(params: ReportInput, options: ResearchOptions,
                        web_search: WebSearchChoice | None, settings: Settings,
                        workers_here: WorkersHere) -> str:
    """Research-only options need something to research: with no web search and no
    documents the worker writes a single answer, and they did nothing, silently (the
    worker has no plan to show, no question to ask: workflows/report), while
    ``--depth quick`` with them is refused (``with_research``).

    Returns:
        A one-line note when the report's worker may be another machine's (which may
        search the web), else "".

    Raises:
        UserError: No web search and no documents, and the worker is this machine's.
    """
    if web_search is None or web_search.provider or options.sources:
        return ""  # quick, --no-web (refused without documents), or a source to research
    inert = research_only(params)
    if not inert:
        return ""
    sp = options.spelling
    if not workers_here(settings):
        return SINGLE_ANSWER_NOTE
    documents = f"add your documents ({opt.SOURCES.wanted(sp, 'PATH')}), " \
        if opt.SOURCES.offered(sp) else ""
    raise UserError(f"{inert[0].name(sp)} acts on research, but there is no web search "
                    f"({web_search.reason}) and no documents: the report would be a single "
                    "answer",
                    f"drop {opt.names(sp, *inert)}, {documents}or {ENABLE_HINT}")


def prefer_domain_note(spelling: opt.Spelling) -> str:
    """Said at the start of a report whose preferred web sites depend on a worker elsewhere."""
    return (f"{opt.PREFER_DOMAIN.name(spelling)}: no web search here: the preferred sites "
            "count only if the worker that runs the report searches the web")


async def prepare_report(settings: Settings, request: ReportRequest,
                         ingest: Ingest | None = None,
                         probe: Probe = probe_ddgs, workers_here: WorkersHere = elsewhere
                         ) -> PreparedReport:
    """Validate everything, then store the local documents, then check them too.

    Every option is checked before a document is read (a typo costs no ingestion).
    Without ``ingest``, ``request.research.sources`` are read as paths on this machine.
    A research report searching the web gets the finding of ``probe`` (does DuckDuckGo
    answer?) in its input: workers on SEARCH_PROVIDER=auto act on it, never probing.
    ``workers_here``: whether the report's worker has ``settings``' SMTP settings
    (``client.workers.workers_here``), so that an e-mail it cannot send is refused now.

    Raises:
        UserError: Any invalid option (SEARCH_PROVIDER without its URL or key too),
            unreadable documents, a --prefer-path that matches no document, an e-mail
            this machine's worker cannot send, a --prefer-domain with no web search,
            research-only options (--review-plan ...) with nothing to research, an
            output folder this machine's worker cannot write.
    """
    params = build_input(request.prompt, request.review, request.formats, request.out,
                         request.overwrite, request.email, request.model, settings,
                         request.research.spelling)
    options = request.research
    if options.sources and not (request.prompt or "").strip():
        # Blank is the demo question, which is no question to ask of one's own documents.
        raise UserError("No question to research your documents with",
                        "say what you want to know from them")
    mail_note = check_mail(settings, params.email_to, workers_here, options.spelling)
    if not params.output_dir and workers_here(settings):  # an --out was checked with it
        check_output_folder(settings)
    checked = with_research(params, options, PreparedSources())
    web_search = None
    if checked.depth != Depth.QUICK and checked.web:
        reach = await probe(settings)
        web_search = choose_web_search(settings, reach)
        params = replace(params, ddgs_reach=reach)
    prefer_note = check_prefer_domains(options, web_search, settings, workers_here)
    single_note = check_single_answer(checked, options, web_search, settings, workers_here)
    if ingest is None:
        paths = list(options.sources)

        async def from_paths() -> PreparedSources:
            return await asyncio.to_thread(ingest_sources, settings, paths)

        ingest = from_paths
    sources = await ingest() if options.sources else PreparedSources()
    return PreparedReport(params=with_research(params, options, sources), sources=sources,
                          web_search=web_search,
                          notes=[n for n in (mail_note, prefer_note, single_note) if n],
                          # Detected once: with_research's detection is cached.
                          language=resolve_language(options.language, params.prompt))
