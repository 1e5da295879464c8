"""Client-side research actions (no printing): local sources, budget, plan review."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from temporalio.client import Client

from durable_research.client.updates import run_update
from durable_research.config import Settings
from durable_research.errors import UserError
from durable_research.shared import (
    DOMAIN_NAME,
    UPDATE_RAISE_BUDGET,
    UPDATE_REVIEW_PLAN,
    Budget,
    BudgetOutcome,
    Depth,
    PlanReviewInput,
    RaiseBudgetInput,
    ReportInput,
    ReportResult,
)


@dataclass
class ResearchOptions:
    """The research choices of ``run``/``start`` as the user gave them."""

    sources: list[str] = field(default_factory=list)
    depth: str = Depth.STANDARD
    web: bool = True
    review_plan: bool = False
    budget_usd: float = 0.0
    max_pages: int = 0
    max_tokens: int = 0
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)


@dataclass
class PreparedSources:
    """Local documents put into the store for a report."""

    collection: str = ""
    documents: int = 0
    skipped: list[str] = field(default_factory=list)
    store: str = ""


def parse_depth(raw: str) -> Depth:
    """``quick``, ``standard`` or ``deep``; anything else is a user error."""
    try:
        return Depth(raw.strip().lower())
    except ValueError:
        raise UserError(f"Unknown depth {raw!r}",
                        f"use one of {', '.join(d.value for d in Depth)}") from None


def parse_domains(items: list[str], what: str) -> list[str]:
    """Validated, lower-cased domain names."""
    out = []
    for item in items:
        domain = item.strip().lower().removeprefix("https://").removeprefix("http://")
        domain = domain.split("/")[0]
        if not DOMAIN_NAME.fullmatch(domain):
            raise UserError(f"{what} {item!r} is not a domain name", "e.g. example.org")
        out.append(domain)
    return out


def ingest_sources(settings: Settings, paths: list[str]) -> PreparedSources:
    """Extract the documents' texts into the artifact store as a searchable collection.

    The worker later searches the collection by its key: nothing it does depends on
    paths on this machine.
    """
    if not paths:
        return PreparedSources()
    from durable_research.research.localdocs import ingest_paths
    from durable_research.store.factory import open_store

    store = open_store(settings)
    collection = ingest_paths(store, [Path(p).expanduser() for p in paths])
    return PreparedSources(collection=collection.key, documents=len(collection.docs),
                           skipped=collection.skipped, store=store.describe())


def with_research(params: ReportInput, options: ResearchOptions,
                  sources: PreparedSources) -> ReportInput:
    """The workflow input with the validated research options."""
    depth = parse_depth(options.depth)
    if depth is Depth.QUICK and (options.sources or options.review_plan):
        raise UserError("--depth quick writes a single answer without sources",
                        "drop --sources/--review-plan or use --depth standard")
    return replace(
        params, depth=depth.value, collection=sources.collection, web=options.web,
        review_plan=options.review_plan,
        allow_domains=parse_domains(options.allow_domains, "--allow-domain"),
        deny_domains=parse_domains(options.deny_domains, "--deny-domain"),
        budget=Budget(max_usd=options.budget_usd, max_tokens=options.max_tokens,
                      max_pages=options.max_pages),
    )


async def raise_budget(client: Client, workflow_id: str, params: RaiseBudgetInput
                       ) -> BudgetOutcome:
    """Raise a running report's caps."""
    return await run_update(client, workflow_id, UPDATE_RAISE_BUDGET, params, BudgetOutcome,
                            "Budget not raised")


async def review_plan(client: Client, workflow_id: str, params: PlanReviewInput) -> list[str]:
    """Approve, edit or reject a report's research plan; returns the plan in force."""
    plan = await run_update(client, workflow_id, UPDATE_REVIEW_PLAN, params, list,
                            "Plan review not accepted")
    return [str(x) for x in plan]


def download_report(settings: Settings, result: ReportResult, folder: str) -> list[Path]:
    """Copy a finished report's files from the artifact store into ``folder``.

    Works on any machine with the store settings; an existing different file is kept
    and the download gets a ``-2``, ``-3``... suffix instead.
    """
    from durable_research.layout.files import atomic_write
    from durable_research.store.errors import StoreError, StoreUnavailableError
    from durable_research.store.factory import open_store

    if not result.keys:
        raise UserError("This report has no files in the artifact store",
                        "it was written before reports were stored, or not completed")
    target = Path(folder).expanduser()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create {folder}: {exc.strerror or exc}") from None
    store = open_store(settings)
    written = []
    for key in result.keys:
        try:
            data = store.get(key)
        except (StoreError, StoreUnavailableError) as exc:
            raise UserError(f"Cannot download {key} from {store.describe()}: {exc}",
                            "check RESEARCH_STORE (and S3 settings) on this machine") from None
        name = key.rsplit("/", 1)[-1]
        path, n = target / name, 1
        while path.exists() and path.read_bytes() != data:
            n += 1
            stem, dot, ext = name.rpartition(".")
            path = target / (f"{stem}-{n}.{ext}" if dot else f"{name}-{n}")
        atomic_write(path, data)
        written.append(path)
    return written
