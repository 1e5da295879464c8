"""Client-side research actions (no printing): local sources, budget, plan review,
clarifying questions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from temporalio.client import Client

from durable_research.client import options as opt
from durable_research.client.files import file_name
from durable_research.client.numbers import (
    EXAMPLE_PAGES,
    EXAMPLE_STEPS,
    EXAMPLE_TOKENS,
    KEEP_CAP_HINT,
    parse_count,
    parse_usd,
)
from durable_research.client.requests import utf8_text
from durable_research.client.updates import run_update
from durable_research.config import Settings
from durable_research.contract.citations import Authority, Reference
from durable_research.contract.report import ReportInput, ReportResult
from durable_research.contract.research import MAX_AGENT_STEPS, AgentMode, Budget, Depth
from durable_research.contract.review import (
    DOMAIN_NAME,
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_RAISE_BUDGET,
    UPDATE_REVIEW_PLAN,
    AnswersInput,
    BudgetOutcome,
    PlanReviewInput,
    RaiseBudgetInput,
)
from durable_research.errors import UserError
from durable_research.research.agent.transcript import MCP_SCHEME
from durable_research.research.language import resolve_language


@dataclass
class ResearchOptions:
    """The research choices of ``run``/``start`` as the user gave them."""

    sources: list[str] = field(default_factory=list)
    depth: str = Depth.STANDARD
    web: bool = True
    review_plan: bool = False
    # The caps: as typed (the CLI's text) or as a JSON body carried them; checked by
    # with_research (client/numbers).
    budget_usd: float | str = 0.0
    max_pages: float | str = 0
    max_tokens: float | str = 0
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    prefer_domains: list[str] = field(default_factory=list)
    prefer_paths: list[str] = field(default_factory=list)
    clarify: bool = False
    # --agent/--no-agent (None: the agent where the model calls tools), --max-steps.
    agent: bool | None = None
    max_steps: float | str = 0
    # --language: a code or name ("" detects the question's language).
    language: str = ""
    # How the front end names these, in its refusals (``client/options``).
    spelling: opt.Spelling = opt.Spelling.CLI


@dataclass
class PreparedSources:
    """Local documents put into the store for a report."""

    collection: str = ""
    documents: int = 0
    skipped: list[str] = field(default_factory=list)
    store: str = ""
    # The documents' names in the collection (paths relative to a --sources folder).
    names: list[str] = field(default_factory=list)


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


def parse_prefer_paths(items: list[str], sources: list[str],
                       spelling: opt.Spelling = opt.Spelling.CLI) -> list[str]:
    """``--prefer-path`` values as patterns over collection names: a folder, file or glob
    relative to a ``--sources`` folder (an existing path inside one is made relative).

    Raises:
        UserError: No --sources, or a value that cannot name a path under them.
    """
    prefer, under = opt.PREFER_PATH.name(spelling), opt.SOURCES.name(spelling)
    if items and not sources:
        raise UserError(f"{prefer} ranks documents of {under} first",
                        f"add {opt.SOURCES.wanted(spelling, 'PATH')}, or drop {prefer}")
    folders = [Path(s).expanduser().resolve() for s in sources]
    out = []
    for item in items:
        raw = item.strip()
        pattern = raw.replace("\\", "/")
        given = Path(raw).expanduser()
        real = given.resolve() if raw and given.exists() else None
        for folder in folders if real else []:
            if real == folder and folder.is_file():
                pattern = folder.name
                break
            if real and real.is_relative_to(folder) and real != folder:
                pattern = real.relative_to(folder).as_posix()
                break
        pattern = pattern.removeprefix("./").rstrip("/")
        if not pattern or pattern.startswith("/") or ".." in pattern.split("/"):
            raise UserError(f"{prefer} {item!r} is not a path under {under}",
                            f"e.g. guides, guides/setup.md or '*.pdf' (relative to {under})")
        out.append(pattern)
    return out


def check_prefer_paths(patterns: list[str], names: list[str],
                       spelling: opt.Spelling = opt.Spelling.CLI) -> None:
    """Each pattern must match a document of the collection (a typo is not silently inert).

    Raises:
        UserError: Naming the first pattern that matches nothing.
    """
    from durable_research.research.authority import path_matches

    for pattern in patterns:
        if not any(path_matches(name, pattern) for name in names):
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            under = opt.SOURCES.name(spelling)
            raise UserError(f"{opt.PREFER_PATH.name(spelling)} {pattern!r} matches no "
                            f"document of {under}",
                            f"names are relative to the {under} folder: {shown}")


def cited_summary(refs: list[Reference]) -> str:
    """"5 cited", with how many are preferred or low-trust sources and how many are the
    research agent's MCP tool answers (not counted in the report's sources line) when any
    are, then the sources listed only because they dispute a claim ("+ 1 that disputes a
    claim"): no sentence cites those."""
    cited = [r for r in refs if r.cited]
    counts = Counter(r.authority for r in cited)
    special = [f"{counts[a]} {a.value}" for a in (Authority.PREFERRED, Authority.LOW_TRUST)
               if counts[a]]
    mcp = sum(r.url.startswith(MCP_SCHEME) for r in cited)
    if mcp:
        special.append(f"{mcp} MCP tool answer{'s' * (mcp != 1)}")
    summary = f"{len(cited)} cited" + (f" ({', '.join(special)})" if special else "")
    disputing = len(refs) - len(cited)
    if disputing:
        summary += f" + {disputing} that dispute{'s' * (disputing == 1)} a claim"
    return summary


def check_sources_within(paths: list[str], roots: list[Path]) -> None:
    """Each source path must be absolute and lie inside one of ``roots`` (after following
    links): for a front end that reads paths someone else chose (an assistant through
    the MCP server), so that only folders the user named can reach the LLM.

    Raises:
        UserError: A relative path, or one outside every root (none given: sources off).
    """
    if paths and not roots:
        # The hint is for whoever runs the server: the assistant cannot pass the option.
        raise UserError("Local sources are off for this server",
                        "its operator allows the documents under FOLDER by starting it as "
                        "`research mcp --sources-root FOLDER`")
    shown = ", ".join(str(r) for r in roots)
    for raw in paths:
        given = Path(raw).expanduser()
        if not given.is_absolute():
            raise UserError(f"Source {raw[:200]!r} is not an absolute path",
                            f"name a file or folder under {shown}")
        real = given.resolve()
        if not any(real.is_relative_to(root) for root in roots):
            raise UserError(f"Source {raw[:200]!r} is outside the allowed folders",
                            f"name a file or folder under {shown} (the folders this "
                            "server allows)")


def ingest_sources(settings: Settings, paths: list[str],
                   progress: Callable[[int, str], None] | None = None) -> PreparedSources:
    """Extract the documents' texts into the artifact store as a searchable collection.

    The worker later searches the collection by its key: nothing it does depends on
    paths on this machine. ``progress``: told each document stored (how many, its name).
    """
    if not paths:
        return PreparedSources()
    from durable_research.errors import StoreError
    from durable_research.research.localdocs import ingest_paths
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    store = open_store(settings)
    try:
        collection = ingest_paths(store, [Path(p).expanduser() for p in paths],
                                  progress=progress)
    except (StoreError, StoreUnavailableError, OSError) as exc:
        # The documents' own read errors are each a skipped file (research/localfiles):
        # what is left is the store's (no bucket, no answer, a folder that cannot be made).
        raise UserError(f"Cannot store the documents in {store.describe()}: {exc}",
                        "check RESEARCH_STORE (and the S3 settings) on this machine; "
                        "`research doctor` checks the store") from None
    return PreparedSources(collection=collection.key, documents=len(collection.docs),
                           skipped=collection.skipped, store=store.describe(),
                           names=[doc.name for doc in collection.docs])


def with_research(params: ReportInput, options: ResearchOptions,
                  sources: PreparedSources) -> ReportInput:
    """The workflow input with the validated research options."""
    depth = parse_depth(options.depth)
    sp = options.spelling
    budget = Budget(
        max_usd=parse_usd(options.budget_usd, opt.BUDGET_USD.name(sp)),
        max_tokens=parse_count(options.max_tokens, opt.MAX_TOKENS.name(sp), EXAMPLE_TOKENS),
        max_pages=parse_count(options.max_pages, opt.MAX_PAGES.name(sp), EXAMPLE_PAGES))
    max_steps = parse_count(options.max_steps, opt.MAX_STEPS.name(sp), EXAMPLE_STEPS,
                            "0 means the depth's default")
    quick, standard = opt.DEPTH.given(sp, Depth.QUICK), opt.DEPTH.given(sp, Depth.STANDARD)
    if depth is Depth.QUICK and (options.sources or options.review_plan or options.clarify):
        raise UserError(f"{quick} writes a single answer without sources",
                        f"drop {opt.names(sp, opt.SOURCES, opt.REVIEW_PLAN, opt.CLARIFY)} "
                        f"or use {standard}")
    page_options = [o for o, given in (
        (opt.MAX_PAGES, budget.max_pages), (opt.ALLOW_DOMAIN, options.allow_domains),
        (opt.DENY_DOMAIN, options.deny_domains), (opt.PREFER_DOMAIN, options.prefer_domains))
        if given]
    if depth is Depth.QUICK and page_options:
        # Else accepted and inert: a quick report is one LLM answer (workflows/report).
        raise UserError(f"{quick} reads no web page, so {page_options[0].name(sp)} has "
                        "nothing to act on",
                        f"drop {opt.names(sp, *page_options)} or use {standard}")
    if options.prefer_domains and not options.web:
        raise UserError(f"{opt.PREFER_DOMAIN.name(sp)} ranks web pages, but "
                        f"{opt.NO_WEB.name(sp)} turns the web off", "drop one of them")
    if depth is not Depth.QUICK and not options.web and not options.sources:
        # Else the worker plans (paid) and then has nothing to search, and its note
        # blames the search settings the user turned off.
        raise no_source_refusal(sp, quick)
    mode = agent_mode(options.agent, max_steps, depth, sp)
    prefer_paths = parse_prefer_paths(options.prefer_paths, options.sources, sp)
    if sources.collection:
        check_prefer_paths(prefer_paths, sources.names, sp)
    return replace(
        params, depth=depth.value, collection=sources.collection, web=options.web,
        review_plan=options.review_plan, clarify=options.clarify,
        allow_domains=parse_domains(options.allow_domains, opt.ALLOW_DOMAIN.name(sp)),
        deny_domains=parse_domains(options.deny_domains, opt.DENY_DOMAIN.name(sp)),
        prefer_domains=parse_domains(options.prefer_domains, opt.PREFER_DOMAIN.name(sp)),
        prefer_paths=prefer_paths,
        budget=budget, agent=mode.value, max_steps=max_steps,
        language=resolve_language(options.language, params.prompt).tag,
    )


def no_source_refusal(sp: opt.Spelling, quick: str) -> UserError:
    """Web search off and no documents: where the front end takes documents the hint asks
    for them; the HTTP API takes none, so it says where they can be given."""
    off = opt.NO_WEB.name(sp)
    if not opt.SOURCES.offered(sp):
        return UserError(f"No web search ({off}) and this API takes no documents: "
                         "nothing to research",
                         f"turn web search on, or choose {quick} for a single answer (to "
                         "research your documents, add them on the web page)")
    return UserError(f"No web search ({off}) and no documents "
                     f"({opt.SOURCES.name(sp)}): nothing to research",
                     f"add your documents ({opt.SOURCES.wanted(sp, 'PATH')}), turn web "
                     f"search on, or choose {quick} for a single answer")


def parse_agent_mode(raw: str) -> bool | None:
    """The web form's ``auto``/``on``/``off`` as ``ResearchOptions.agent``.

    Raises:
        UserError: Any other value.
    """
    try:
        mode = AgentMode(raw.strip().lower())
    except ValueError:
        raise UserError(f"Unknown agent mode {raw[:40]!r}",
                        f"use one of {', '.join(m.value for m in AgentMode)}") from None
    return {AgentMode.AUTO: None, AgentMode.ON: True, AgentMode.OFF: False}[mode]


def agent_mode(agent: bool | None, max_steps: int, depth: Depth,
               spelling: opt.Spelling = opt.Spelling.CLI) -> AgentMode:
    """``--agent``/``--no-agent`` as the workflow's mode, checked against the depth.

    Raises:
        UserError: --agent or --max-steps with --depth quick, --max-steps with --no-agent.
    """
    steps = opt.MAX_STEPS.name(spelling)
    if depth is Depth.QUICK and (agent or max_steps):
        raise UserError(f"{opt.DEPTH.given(spelling, Depth.QUICK)} writes a single answer: "
                        "there is no research agent",
                        f"drop {opt.names(spelling, opt.AGENT, opt.MAX_STEPS)} or use "
                        f"{opt.DEPTH.given(spelling, Depth.STANDARD)}")
    if agent is False and max_steps:
        raise UserError(f"{steps} bounds the research agent, but "
                        f"{opt.NO_AGENT.name(spelling)} turns it off", "drop one of them")
    if not 0 <= max_steps <= MAX_AGENT_STEPS:
        raise UserError(f"{steps} {max_steps} is out of range",
                        f"give 1 to {MAX_AGENT_STEPS} (0: the depth's default)")
    return {None: AgentMode.AUTO, True: AgentMode.ON, False: AgentMode.OFF}[agent]


def budget_raise_input(usd: float | str, tokens: float | str, pages: float | str,
                       labels: tuple[str, str, str] = ("max_usd", "max_tokens", "max_pages"),
                       ) -> RaiseBudgetInput:
    """New caps as asked for (0 keeps a cap), checked as the caps of a new report are.

    Args:
        labels: The three as the front end calls them (the CLI's ``--usd`` ...).

    Raises:
        UserError: A value that is no amount or no whole number, or is negative (the
            workflow refuses a lowered cap itself; it took a NaN one).
    """
    return RaiseBudgetInput(
        max_usd=parse_usd(usd, labels[0], KEEP_CAP_HINT),
        max_tokens=parse_count(tokens, labels[1], EXAMPLE_TOKENS, KEEP_CAP_HINT),
        max_pages=parse_count(pages, labels[2], EXAMPLE_PAGES, KEEP_CAP_HINT))


async def raise_budget(client: Client, workflow_id: str, params: RaiseBudgetInput
                       ) -> BudgetOutcome:
    """Raise a running report's caps (``params``: :func:`budget_raise_input`'s)."""
    return await run_update(client, workflow_id, UPDATE_RAISE_BUDGET, params, BudgetOutcome,
                            "Budget not raised")


async def review_plan(client: Client, workflow_id: str, params: PlanReviewInput) -> list[str]:
    """Approve, edit or reject a report's research plan; returns the plan in force."""
    plan = await run_update(client, workflow_id, UPDATE_REVIEW_PLAN, params, list,
                            "Plan review not accepted")
    return [str(x) for x in plan]


async def answer_questions(client: Client, workflow_id: str, params: AnswersInput
                           ) -> list[str]:
    """Answer a waiting report's clarifying questions (none: plan without answers);
    returns the questions that were asked."""
    params = AnswersInput(answers=[" ".join(utf8_text(a, f"Answer {i}").split())
                                   for i, a in enumerate(params.answers, 1)],
                          reviewer=params.reviewer)
    asked = await run_update(client, workflow_id, UPDATE_ANSWER_QUESTIONS, params, list,
                             "Answers not accepted")
    return [str(x) for x in asked]


def download_folder(folder: str) -> Path:
    """The folder a download goes to, created if missing: a front end calls it before it
    waits for the report, so a folder it cannot write costs no wait.

    Raises:
        UserError: ``folder`` is a file, or cannot be created.
    """
    target = Path(folder).expanduser()
    hint = "give a folder you can write to (it is created if missing)"
    if target.exists() and not target.is_dir():
        # mkdir said "File exists" of a file given here: true, but no help.
        raise UserError(f"{folder} is a file, not a folder", hint)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create {folder}: {exc.strerror or exc}", hint) from None
    return target


def download_report(settings: Settings, result: ReportResult, folder: str) -> list[Path]:
    """Copy a finished report's files from the artifact store into ``folder``.

    Works on any machine with the store settings; an existing different file is kept
    and the download gets a ``-2``, ``-3``... suffix instead.
    """
    from durable_research.errors import StoreError
    from durable_research.layout.files import atomic_write
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    if not result.keys:
        raise UserError("This report has no files in the artifact store",
                        "it was written before reports were stored, or not completed")
    target = download_folder(folder)
    store = open_store(settings)
    here = store.describe()
    written = []
    for key in result.keys:
        name = file_name(key, result)
        try:
            data = store.get(key)
        except (StoreError, StoreUnavailableError) as exc:
            if result.store and result.store != here:  # the run said where it stored them
                raise UserError(
                    f"Cannot download {name}: this report is stored in {result.store}, "
                    f"this machine's store is {here}",
                    f"run the download with RESEARCH_STORE (and the S3 settings) of "
                    f"{result.store}") from None
            raise UserError(f"Cannot download {key} from {here}: {exc}",
                            "check RESEARCH_STORE (and S3 settings) on this machine") from None
        path, n = target / name, 1
        while path.exists() and path.read_bytes() != data:
            n += 1
            stem, dot, ext = name.rpartition(".")
            path = target / (f"{stem}-{n}.{ext}" if dot else f"{name}-{n}")
        atomic_write(path, data)
        written.append(path)
    return written
