"""The ``agent_tool`` activity: one tool call of the research agent, dispatched by name.

:data:`HANDLERS` maps each tool of ``research/agent/registry.py`` to its handler; a new
built-in tool registers its spec there and its handler here; the tools of the worker's
MCP servers (``research/mcp_client.py``) share one handler, registered under their
prefix ``mcp_``. Every call's result (the text the model reads next) goes to the artifact
store under the key the workflow named, and the call's output is saved beside it: a call
that completed is never run again by a retry, nor by a turn rebuilt after a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.research import ResearchActivities
from durable_research.activities.writing import note_json
from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import (
    agent_call_record_key,
    agent_note_key,
    agent_sources_key,
    text_key,
)
from durable_research.errors import FailureType
from durable_research.mcp_servers import TOOL_PREFIX
from durable_research.research.agent import transcript as words
from durable_research.research.agent.registry import ToolName, arguments_of, source_number
from durable_research.research.agent.types import (
    ToolCallInput,
    ToolCallOutput,
    changes_table,
    next_table,
)
from durable_research.research.mcp_client import McpCatalog, McpUnavailableError, call_tool, catalog
from durable_research.research.quotes import QuoteFinder
from durable_research.research.types import FetchInput, SearchInput, Source
from durable_research.store import put_text

if TYPE_CHECKING:
    from durable_research.research.search import SearchProvider

Result = tuple[str, ToolCallOutput]
Handler = Callable[["ToolActivities", ToolCallInput, dict[str, Any]], Awaitable[Result]]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for the tools ``names`` (each handled once)."""
    def add(func: Handler) -> Handler:
        for name in names:
            if name in HANDLERS:
                raise ValueError(f"tool {name!r} has a handler already")
            HANDLERS[name] = func
        return func
    return add


def _failed(text: str, line: str) -> Result:
    return text, ToolCallOutput(ok=False, line=line)


class ToolActivities(ResearchActivities):
    """The agent's tools, with the worker's search providers, fetcher and store."""

    @activity.defn(name="agent_tool")
    async def agent_tool(self, params: ToolCallInput) -> ToolCallOutput:
        """Run one tool call (or record its refusal); its result text goes to the store."""
        key = self.my_key(params.key)
        saved = await self.load_json(agent_call_record_key(key))
        if saved is not None:
            source = saved.pop("source")
            out = ToolCallOutput(**{**saved, "added": [Source(**s) for s in saved["added"]]})
            out.source = Source(**source) if source else None
            return out
        params = replace(params, sources=await self._table(params))
        name = params.call.name
        handler = HANDLERS.get(TOOL_PREFIX if name.startswith(TOOL_PREFIX) else name)
        args = arguments_of(params.call.arguments)
        if params.refuse:
            text, out = _failed(f"{words.NOT_RUN} {params.refuse}", f"{name} refused")
        elif handler is None:
            text, out = _failed(f"{words.NOT_RUN} there is no tool {name!r}.",
                                f"unknown tool {name!r}")
        elif args is None:
            text, out = _failed(f"{words.NOT_RUN} the arguments are not a JSON object.",
                                f"{name}: bad arguments")
        else:
            text, out = await handler(self, params, args)
        out.key = key
        # The result and the table at once (each write is an fsync, on the sub-question's
        # chain between two model turns); the record, which says the call is done, after both.
        _written, out.table_key = await asyncio.gather(self.write_text(key, text),
                                                       self._save_table(key, params, out))
        await self.save_json(agent_call_record_key(key), asdict(out))
        return out

    async def _table(self, params: ToolCallInput) -> list[Source]:
        """The source table the call starts from: stored by the last call, or inline."""
        if not params.sources_key:
            return list(params.sources)
        found = await self.load_json(self.check_readable(params.sources_key))
        if not isinstance(found, list):
            raise ApplicationError(f"the agent's source table {params.sources_key} is gone",
                                   type=FailureType.STORE_ERROR, non_retryable=True)
        return [Source(**s) for s in found]

    async def _save_table(self, key: str, params: ToolCallInput, out: ToolCallOutput) -> str:
        """The table after the call, as the workflow applies it (``replaced``, then
        ``added``), stored beside the result; the same key when nothing changed."""
        if params.sources_key and not changes_table(out):
            return params.sources_key
        table_key = agent_sources_key(key)
        await self.save_json(table_key, [asdict(s) for s in next_table(params.sources, out)])
        return table_key

    def web_search(self, ddgs_reach: str) -> SearchProvider | None:
        """The worker's web search provider for this report (None: it has none)."""
        provider: SearchProvider | None = self._web(ddgs_reach)
        return provider

    @property
    def mcp(self) -> McpCatalog:
        """The allowed tools of the worker's MCP servers."""
        return catalog(self.settings.mcp_server_list)

    async def fetched(self, src: Source) -> Source:
        """``src`` with its text in the store: fetched by the safe fetcher (once per run)."""
        if src.content_hash or src.kind == SourceKind.LOCAL:
            return src
        return await self._fetch_kept(FetchInput(url=src.url, title=src.title))

    async def links(self, src: Source) -> list[str]:
        """The links of a read web page ([] for documents and pages without any)."""
        if not src.content_hash or src.kind == SourceKind.LOCAL:
            return []
        found = await self.load_json(self.links_key(src.content_hash))
        return [str(u) for u in found] if isinstance(found, list) else []

    async def source_text(self, src: Source) -> str:
        """The stored text of a read (or local) source."""
        return await self.read_text(text_key(src.content_hash))


def _number(params: ToolCallInput, args: dict[str, Any]) -> int:
    """The source number [n] a call names (0: none of the table's)."""
    return source_number(args, len(params.sources))


@handles(ToolName.SEARCH_WEB, ToolName.SEARCH_DOCUMENTS)
async def _search(tools: ToolActivities, params: ToolCallInput, args: dict[str, Any]) -> Result:
    ctx, query = params.context, str(args.get("query", "")).strip()[:300]
    if not query:
        return _failed(f"{words.NOT_RUN} give a query.", "search without a query")
    documents = params.call.name == ToolName.SEARCH_DOCUMENTS
    if not documents and tools.web_search(ctx.ddgs_reach) is None:
        # The report asked for the web, but this worker has none (offline, no provider):
        # "0 results" told the model there was nothing to find, and it stopped.
        advice = "; search the documents with search_documents instead" \
            if ctx.collection else ""
        return _failed(f"{words.NOT_RUN} this worker has no web search{advice}.",
                       f"{ToolName.SEARCH_WEB}: this worker has no web search")
    found = await tools.search(SearchInput(
        query=query, max_results=ctx.search_results,
        collection=ctx.collection if documents else "", web=not documents,
        allow_domains=ctx.allow_domains, deny_domains=ctx.deny_domains,
        extra_queries=[q for q in (ctx.subquestion, ctx.question) if q != query] if documents
        else [], prefer_domains=ctx.prefer_domains, prefer_paths=ctx.prefer_paths,
        ddgs_reach=ctx.ddgs_reach))
    known = {s.url: n for n, s in enumerate(params.sources, start=1)}
    today = datetime.now(UTC).date().isoformat()
    added: list[Source] = []
    lines = []
    for hit in found.hits[:words.MAX_HITS]:
        n = known.get(hit.url)
        if n is None:
            added.append(Source(url=hit.url, title=hit.title, kind=hit.kind,
                                content_hash=hit.content_hash, accessed=today))
            n = known[hit.url] = len(params.sources) + len(added)
        lines.append(words.hit_line(n, hit.title, hit.url))
    found_n = f"{len(lines)} result{'' if len(lines) == 1 else 's'}"
    return words.hits_text(query, lines), ToolCallOutput(
        added=added, line=f"search {query!r} -> {found_n}")


async def _show(tools: ToolActivities, n: int, src: Source, part: int) -> str:
    text = await tools.source_text(src)
    if not 1 <= part <= words.parts_of(text):
        return f"Source [{n}] has {words.parts_of(text)} part(s); there is no part {part}."
    shown = words.part_text(n, src.title, src.url, text, part)
    links = await tools.links(src) if part == 1 else []
    return shown + words.links_text(links)


@handles(ToolName.READ)
async def _read(tools: ToolActivities, params: ToolCallInput, args: dict[str, Any]) -> Result:
    n = _number(params, args)
    if not n:
        return _failed(f"{words.NOT_RUN} name a source [n] from the search results.",
                       "read: no source")
    try:
        part = int(args.get("part", 1))
    except (TypeError, ValueError):
        part = 1
    src = params.sources[n - 1]
    fresh = not src.content_hash
    if fresh and params.pages_left == 0:
        return _failed(f"{words.NOT_RUN} the page budget is spent; note what you have and "
                       "call done.",
                       f"read [{n}]: page budget reached")
    got = await tools.fetched(src)
    out = ToolCallOutput(line=f"read [{n}] part {part}", replaced=n if fresh else 0,
                         source=got if fresh else None)
    if not got.ok or not got.content_hash:
        out.ok, out.failed = False, f"{got.url}: {got.error}"
        return f"Source [{n}] could not be read: {got.error}", out
    out.pages_fetched = int(fresh and got.kind != SourceKind.LOCAL)
    return await _show(tools, n, got, part), out


@handles(ToolName.FOLLOW)
async def _follow(tools: ToolActivities, params: ToolCallInput, args: dict[str, Any]) -> Result:
    url = str(args.get("url", "")).strip()
    for n, src in enumerate(params.sources, start=1):
        if src.url == url:
            return await _read(tools, params, {"source": n, "part": 1})
    seen = False
    for src in params.sources:
        if src.content_hash and url and (url in await tools.links(src)
                                         or url in await tools.source_text(src)):
            seen = True
            break
    if not seen:
        return _failed(f"{words.NOT_RUN} follow only links that appear in a page you read.",
                       "follow: an unseen link")
    if params.pages_left == 0:
        return _failed(f"{words.NOT_RUN} the page budget is spent.",
                       "follow: page budget reached")
    got = await tools.fetched(Source(url=url, title=url))
    n = len(params.sources) + 1
    out = ToolCallOutput(line=f"follow [{n}] {url[:80]}", added=[got])
    if not got.ok:
        out.ok, out.failed = False, f"{got.url}: {got.error}"
        return f"[{n}] could not be read: {got.error}", out
    out.pages_fetched = 1
    return await _show(tools, n, got, 1), out


@handles(ToolName.NOTE)
async def _note(tools: ToolActivities, params: ToolCallInput, args: dict[str, Any]) -> Result:
    n = _number(params, args)
    src = params.sources[n - 1] if n else None
    if src is None or not src.content_hash:
        return _failed("Not noted: read the source first, then quote it.", "note: not read")
    quote, claim = str(args.get("quote", "")).strip(), str(args.get("claim", "")).strip()
    widened = QuoteFinder(await tools.source_text(src)).widen(quote) if len(quote) >= 8 \
        else None
    if widened is None:
        return _failed(f"Not noted: the quote is not in source [{n}]; copy its words exactly.",
                       f"note [{n}]: quote not found")
    key = tools.my_key(agent_note_key(params.key))
    await tools.save_json(key, [note_json(src, widened, claim or quote)])
    return f"Noted from [{n}].", ToolCallOutput(line=f"note [{n}]", notes_key=key,
                                                cited_hash=src.content_hash)


@handles(TOOL_PREFIX)
async def _mcp(tools: ToolActivities, params: ToolCallInput, args: dict[str, Any]) -> Result:
    """A tool of an MCP server: its answer is an untrusted source [n], like a web page,
    read part by part and noted with quotes that must occur in it."""
    name = params.call.name
    try:
        tool = await with_heartbeats(tools.mcp.find(name), detail="listing MCP tools")
        if tool is None:
            return _failed(f"{words.NOT_RUN} {name} is not a tool of this worker's MCP servers' "
                           "allow-lists.", f"{name[:60]} refused: not allowed")
        label = f"{tool.server.name}.{tool.tool}"
        text, refused = await with_heartbeats(call_tool(tool, args), detail=f"MCP {label}")
    except McpUnavailableError as exc:  # retried by the activity's policy
        raise ApplicationError(str(exc), type=FailureType.MCP_UNAVAILABLE) from exc
    if refused or not text.strip():
        said = text.strip()[:2000] or "(nothing)"
        out = ToolCallOutput(ok=False, line=f"{label}: failed", failed=f"{label}: {said[:200]}")
        return f"The tool {name} failed: {said}", out
    digest = await tools.in_store(put_text, tools.store, text)
    n = len(params.sources) + 1
    src = Source(url=words.mcp_address(tool.server.name, tool.tool, args),
                 title=f"{label} ({tool.server.name} MCP server)", content_hash=digest,
                 chars=len(text), accessed=datetime.now(UTC).date().isoformat())
    shown = words.part_text(n, src.title, src.url, text, 1)
    return shown, ToolCallOutput(line=f"{label} -> [{n}] {len(text):,} characters",
                                 added=[src])
