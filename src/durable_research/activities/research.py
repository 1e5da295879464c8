"""Research activities that gather sources: what can be searched, search, fetch a page.

URLs come from search results (untrusted): the fetcher refuses private addresses,
honours robots.txt and caps sizes. Page texts go to the artifact store; the history
gets a :class:`Source` with the text's hash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.procpool import in_process
from durable_research.activities.storage import WithStore
from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import fetch_memo_name, page_links_name
from durable_research.errors import FailureType
from durable_research.research.types import (
    FetchInput,
    FetchPagesInput,
    FetchPagesOutput,
    SearchHit,
    SearchInput,
    SearchOutput,
    Source,
    SourcesAvailable,
    SourcesInput,
)
from durable_research.research.websearch import choose_web_search, no_sources_note
from durable_research.store import content_hash, put_text

FETCH_FAILED = "FetchFailed"
# Pages of one round fetched at once by one worker (the fetcher's per-host politeness
# still applies).
PAGES_AT_ONCE = 6


def _retry_delay(seconds: float | None) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds is not None else None


async def tool_calling(settings: Any, requested: str) -> tuple[bool, str]:
    """Whether the report's model calls tools (``LLM_TOOL_CALLING``, else litellm's
    tables), and if not, why (one clause for the report's log)."""
    from durable_research.config import ToolCalling
    from durable_research.llm.calls import allowed_model, load_litellm

    mode = ToolCalling(settings.llm_tool_calling)
    if mode is ToolCalling.OFF:
        return False, "LLM_TOOL_CALLING=off on the worker"
    try:
        model = allowed_model(settings, requested)
    except ApplicationError as exc:
        return False, str(exc)
    if mode is ToolCalling.ON:
        return True, ""
    litellm = await load_litellm()
    try:
        known = bool(litellm.supports_function_calling(model=model))
    except Exception:  # noqa: BLE001 - litellm raises several kinds for "not in its map"
        known = False
    return known, "" if known else (
        f"litellm does not list {model!r} as calling tools; set LLM_TOOL_CALLING=on on the "
        "worker if it does")


class ResearchActivities(WithStore):
    """Search and fetch with the worker's providers, keys and fetch policy."""

    _fetcher: Any = None
    _embedder_obj: Any = None

    def __init__(self, settings: Any = None) -> None:
        """Create the activities; a per-URL lock keeps one worker from fetching twice."""
        super().__init__(settings)
        self._locks: dict[str, asyncio.Lock] = {}

    async def aclose(self) -> None:
        """Close the page fetcher's keep-alive connections (opened on first fetch)."""
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.aclose()

    def _web(self, ddgs_reach: str) -> Any:
        """The worker's web search, with the client's finding on DuckDuckGo."""
        from durable_research.errors import ConfigError
        from durable_research.research.search import web_provider

        try:
            return web_provider(self.settings, ddgs_reach)
        except ConfigError as exc:
            raise ApplicationError(
                f"{exc.message} ({exc.hint})" if exc.hint else exc.message,
                type=FailureType.CONFIG_ERROR, non_retryable=True,
            ) from exc

    def _embedder(self) -> Any:
        """Dense ranking for local documents when EMBEDDING_MODEL is set (else None)."""
        if not self.settings.embedding_model:
            return None
        if self._embedder_obj is None:
            from durable_research.research.embeddings import Embedder

            self._embedder_obj = Embedder(self.settings, self.store)
        return self._embedder_obj

    def links_key(self, digest: str) -> str:
        """Where this run keeps the links of the page whose text has this digest."""
        return self.run_key(page_links_name(digest))

    @activity.defn(name="research_sources")
    async def research_sources(self, params: SourcesInput) -> SourcesAvailable:
        """Which sources this worker can use for a report."""
        provider = self._web(params.ddgs_reach)
        docs = 0
        if params.collection:
            from durable_research.research.localdocs import load_collection

            docs = len(await self.in_store(load_collection, self.store, params.collection))
        note = "" if provider or docs else no_sources_note(
            choose_web_search(self.settings, params.ddgs_reach))
        tools, why = await tool_calling(self.settings, params.model)
        return SourcesAvailable(
            web_provider=provider.name if provider else "", local_documents=docs, note=note,
            tool_calling=tools, tool_calling_note=why,
        )

    @activity.defn(name="search")
    async def search(self, params: SearchInput) -> SearchOutput:
        """Search the local documents and/or the web; one provider's failure is reported."""
        from durable_research.research.authority import by_authority, web_authority
        from durable_research.research.search import SearchError, filter_hits

        hits: list[SearchHit] = []
        names: list[str] = []
        errors: list[str] = []
        if params.collection:
            from durable_research.research.localdocs import search_collection

            hits += await self.in_store(
                search_collection, self.store, params.collection, params.query,
                params.max_results, params.extra_queries, params.prefer_paths,
                self._embedder(),
            )
            names.append("local documents")
        provider = self._web(params.ddgs_reach) if params.web else None
        if provider is not None:
            names.append(provider.name)
            try:
                found = await with_heartbeats(
                    provider.search(params.query, params.max_results), detail="searching"
                )
                kept = filter_hits(
                    found, params.allow_domains, params.deny_domains, params.max_results
                )
                hits += by_authority(kept, lambda h: web_authority(h.url, params.prefer_domains))
            except SearchError as exc:
                if not hits:  # nothing else to go on: let the RetryPolicy decide
                    raise ApplicationError(
                        f"{provider.name} search failed: {exc}", type=FailureType.SEARCH_FAILED,
                        non_retryable=not exc.retryable,
                        next_retry_delay=_retry_delay(exc.retry_after_s),
                    ) from exc
                errors.append(f"{provider.name}: {exc}")
        # Snippets are for people; the workflow needs URL, title and hash (history size).
        for hit in hits:
            hit.snippet = ""
        return SearchOutput(hits=hits, provider=", ".join(names), errors=errors)

    @activity.defn(name="fetch_page")
    async def fetch_page(self, params: FetchInput) -> Source:
        """Fetch and extract one web page; its text goes to the store, its hash to history.

        A page that cannot be used (404, robots, too large, not text) is a normal
        outcome: a Source with ``ok=False``. Transient failures raise for a retry.
        (Kept for histories recorded before ``fetch_pages``.)
        """
        return await self._fetch_kept(params)

    @activity.defn(name="fetch_pages")
    async def fetch_pages(self, params: FetchPagesInput) -> FetchPagesOutput:
        """Fetch and extract a round's pages at once, each as ``fetch_page`` would.

        A transient failure of some pages fails the attempt after the others are kept
        (the retry fetches only those); on the last attempt they are reported as
        unusable instead, so one flaky host never costs the round its other pages.
        """
        info = activity.info()
        policy = info.retry_policy
        last = policy is not None and 0 < policy.maximum_attempts <= info.attempt
        slots = asyncio.Semaphore(PAGES_AT_ONCE)
        transient: list[ApplicationError] = []

        async def one(page: FetchInput) -> Source:
            async with slots:
                try:
                    return await self._fetch_kept(page)
                except ApplicationError as exc:
                    if exc.type != FETCH_FAILED:
                        raise
                    transient.append(exc)
                    return Source(url=page.url, title=page.title, ok=False, error=str(exc))

        fetches = [asyncio.ensure_future(one(p)) for p in params.pages]
        try:
            sources = list(await asyncio.gather(*fetches))
        except BaseException:
            # gather leaves the other fetches running when one fails: they would outlive
            # the attempt (and fetch into a fetcher the worker may be closing).
            for fetch in fetches:
                fetch.cancel()
            await asyncio.gather(*fetches, return_exceptions=True)
            raise
        if transient and not last:
            delays = [e.next_retry_delay for e in transient if e.next_retry_delay]
            raise ApplicationError(
                f"{len(transient)} of {len(sources)} pages failed for now: {transient[0]}",
                type=FETCH_FAILED, next_retry_delay=max(delays) if delays else None,
            )
        return FetchPagesOutput(sources=sources)

    async def _fetch_kept(self, params: FetchInput) -> Source:
        # One fetch per URL and run: sub-questions often find the same page, and an
        # attempt that died after fetching left its result here.
        memo = self.run_key(fetch_memo_name(params.url))
        async with self._locks.setdefault(memo, asyncio.Lock()):
            done = await self.load_json(memo)
            if done is not None:
                return Source(**done)
            result = await self._fetch(params)
            await self.save_json(memo, asdict(result))
        self._locks.pop(memo, None)
        return result

    async def _fetch(self, params: FetchInput) -> Source:
        from durable_research.activities.procwork import read_page
        from durable_research.research.extract import ExtractError
        from durable_research.research.fetch import FetchError, FetchPolicy, PageFetcher

        if self._fetcher is None:
            self._fetcher = PageFetcher(FetchPolicy.from_settings(self.settings))
        accessed = datetime.now(UTC).date().isoformat()
        base = Source(url=params.url, title=params.title, kind=SourceKind.WEB, accessed=accessed)
        try:
            page = await with_heartbeats(self._fetcher.fetch(params.url), detail="fetching")
            # Its text and, for HTML, its links: both parse the whole page (milliseconds,
            # 24 pages at once in a wave), so off the event loop's GIL.
            extracted, links = await in_process(read_page, page)
        except FetchError as exc:
            if exc.retryable:
                raise ApplicationError(
                    f"fetching {params.url} failed: {exc}", type=FETCH_FAILED,
                    next_retry_delay=_retry_delay(exc.retry_after_s),
                ) from exc
            base.ok, base.error = False, str(exc)
            return base
        except ExtractError as exc:
            base.ok, base.error = False, f"no usable text: {exc}"
            return base
        digest = content_hash(extracted.text.encode("utf-8"))
        writes: list[Coroutine[Any, Any, Any]] = [
            self.in_store(put_text, self.store, extracted.text)]
        if links is not None:  # the research agent may follow them
            writes.append(self.save_json(self.links_key(digest), links))
        # The text and its links at once (each write is an fsync, on a sub-question's chain);
        # the caller's memo, which says the page is kept, comes after both.
        await asyncio.gather(*writes)
        base.content_hash = digest  # put_text's key: the digest of the same bytes
        base.chars = len(extracted.text)
        base.title = (extracted.title or params.title or page.final_url)[:300]
        if page.final_url != params.url:
            base.url = page.final_url
        return base
