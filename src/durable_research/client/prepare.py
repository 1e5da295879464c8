"""One action for both front ends: what a person asked for -> a validated workflow input.

The CLI and the web page only read their input (arguments, a form) into a
:class:`ReportRequest` and show what :func:`prepare_report` returns or raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from durable_research.client.requests import build_input
from durable_research.client.research import (
    PreparedSources,
    ResearchOptions,
    ingest_sources,
    with_research,
)
from durable_research.config import Settings
from durable_research.contract.report import ReportInput

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


async def prepare_report(settings: Settings, request: ReportRequest,
                         ingest: Ingest | None = None) -> PreparedReport:
    """Validate everything, then store the local documents, then check them too.

    Every option is checked before a document is read (a typo costs no ingestion).
    Without ``ingest``, ``request.research.sources`` are read as paths on this machine.

    Raises:
        UserError: Any invalid option, unreadable documents, a --prefer-path that
            matches no document.
    """
    params = build_input(request.prompt, request.review, request.formats, request.out,
                         request.overwrite, request.email, request.model, settings)
    options = request.research
    with_research(params, options, PreparedSources())
    if ingest is None:
        paths = list(options.sources)

        async def from_paths() -> PreparedSources:
            return await asyncio.to_thread(ingest_sources, settings, paths)

        ingest = from_paths
    sources = await ingest() if options.sources else PreparedSources()
    return PreparedReport(params=with_research(params, options, sources), sources=sources)
