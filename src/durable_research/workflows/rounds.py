"""What one search round of a sub-question asks for: pure helpers shared by the child
workflow and the parent that gathers waiting sub-questions' first rounds ahead."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.citations import SourceKind
    from durable_research.contract.research import SubProgress
    from durable_research.research.types import (
        FetchInput,
        FetchPagesInput,
        FirstRound,
        SearchHit,
        SearchInput,
        Source,
        SubResearchInput,
        noted_hashes,
    )


def search_input(params: SubResearchInput, query: str,
                 earlier: Sequence[str] = ()) -> SearchInput:
    """The ``search`` input for one round of this sub-question: ``query`` for every
    provider, and for local documents also the sub-question, the report's question and
    the ``earlier`` rounds' queries (fused by rank)."""
    extra = [q for q in dict.fromkeys([params.subquestion, params.question, *earlier])
             if q and q != query]
    return SearchInput(query=query, max_results=params.search_results,
                       collection=params.collection, web=params.web,
                       allow_domains=params.allow_domains, deny_domains=params.deny_domains,
                       extra_queries=extra, prefer_domains=params.prefer_domains,
                       prefer_paths=params.prefer_paths, ddgs_reach=params.ddgs_reach)


def pick_new(hits: list[SearchHit], seen: set[str],
             pages: int) -> tuple[list[SearchHit], list[SearchHit]]:
    """The round's new local documents and web pages, up to ``pages`` of each.

    Documents and web pages each get the per-sub-question quota; only web pages count
    against the page budget (documents need no fetching).
    """
    fresh = [h for h in hits if h.url not in seen]
    return ([h for h in fresh if h.kind == SourceKind.LOCAL][:pages],
            [h for h in fresh if h.kind != SourceKind.LOCAL][:pages])


def local_sources(local: list[SearchHit], today: str) -> list[Source]:
    """The round's local documents as sources (those stored: with a content hash)."""
    return [Source(url=h.url, title=h.title, kind=SourceKind.LOCAL,
                   content_hash=h.content_hash, accessed=today)
            for h in local if h.content_hash]


def first_round_hashes(first: FirstRound, pages: int) -> list[str]:
    """What the notes call of a sub-question's first round, gathered ``first`` by the
    parent, reads (``types.noted_hashes``): its sources as the child lists them."""
    local, _web = pick_new(first.hits, set(), pages)
    return noted_hashes(local_sources(local, "") + first.sources)


def fetch_input(hits: list[SearchHit]) -> FetchPagesInput:
    """The ``fetch_pages`` input for these hits."""
    return FetchPagesInput(pages=[FetchInput(url=h.url, title=h.title) for h in hits])


def count_pages(progress: SubProgress, sources: list[Source]) -> list[str]:
    """Count fetched and failed pages into ``progress``; the failures, one line each."""
    failures = []
    for src in sources:
        if src.ok:
            progress.fetched += 1
        else:
            progress.failed += 1
            failures.append(f"{src.url}: {src.error}")
    return failures
