"""``research doctor`` checks for research: the search provider and the artifact store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from durable_research.config import Settings
from durable_research.doctor.check import FAIL, OK, WARN, Check
from durable_research.errors import ConfigError

if TYPE_CHECKING:
    from durable_research.research.reachability import Probe


async def check_search(settings: Settings, probe: Probe | None = None) -> Check:
    """Which web search reports get and why (probing DuckDuckGo as a report's start
    does), and does it answer one query?"""
    from durable_research.research.reachability import probe_ddgs
    from durable_research.research.search import SearchError, web_provider
    from durable_research.research.websearch import (
        ENABLE_HINT,
        choose_web_search,
        describe_web_search,
    )

    try:
        reach = await (probe or probe_ddgs)(settings)
        choice = choose_web_search(settings, reach)
        provider = web_provider(settings, reach)
    except ConfigError as exc:
        return Check("Web search", FAIL, exc.message, exc.hint)
    if provider is None:
        return Check("Web search", WARN, f"{describe_web_search(choice)}: reports use only "
                     "--sources documents (or a single answer without citations)",
                     ENABLE_HINT)
    try:
        hits = await provider.search("tardigrades", 3)
    except SearchError as exc:
        return Check("Web search", FAIL, f"{provider.name} failed: {exc}",
                     "check the provider's URL or key, and the network")
    return Check("Web search", OK,
                 f"{provider.name} answered with {len(hits)} result(s) ({choice.reason})")


def check_store(settings: Settings) -> Check:
    """Can this machine write and read the artifact store?"""
    from durable_research.errors import StoreError
    from durable_research.store.check import check_store as probe
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    try:
        store = open_store(settings)
        return Check("Artifact store", OK, probe(store))
    except ConfigError as exc:
        return Check("Artifact store", FAIL, exc.message, exc.hint)
    except (StoreError, StoreUnavailableError) as exc:
        return Check("Artifact store", FAIL, str(exc),
                     "check RESEARCH_STORE and, for S3, S3_ENDPOINT_URL and the credentials")


def check_payload_key(settings: Settings) -> Check:
    """Which key encrypts payloads, and whether a cluster could share it."""
    from durable_research.embedded import devserver
    from durable_research.payloads.codec import load_keyring

    if not settings.encryption:
        return Check("Payload encryption", WARN, "off (RESEARCH_ENCRYPTION=off): questions, "
                     "drafts and addresses are stored in plain text in Temporal",
                     "remove RESEARCH_ENCRYPTION=off")
    try:
        ring = load_keyring(settings, create=False)
    except ConfigError as exc:
        return Check("Payload encryption", FAIL, exc.message, exc.hint)
    if ring.current is None:
        return Check("Payload encryption", OK, "on; the key is created in the data dir on "
                     "first use")
    message = f"on, key {ring.current_id} from {ring.source}"
    in_data_dir = not (settings.payload_key or settings.payload_key_file)
    if in_data_dir and not devserver.is_local(settings.temporal_address):
        return Check("Payload encryption", WARN, message + "; other machines need this key",
                     "give every worker and client the same RESEARCH_PAYLOAD_KEY(_FILE)")
    return Check("Payload encryption", OK, message)


async def check_embeddings(settings: Settings, call: bool) -> Check:
    """The embedding model (EMBEDDING_MODEL) and, with ``call``, one tiny embedding."""
    import asyncio

    from temporalio.exceptions import ApplicationError

    from durable_research.research.embeddings import Embedder

    what = f"{settings.embedding_model}: dense ranking of --sources documents fused with BM25"
    if not call:
        return Check("Embeddings", OK, what)
    embedder = Embedder(settings, _NoStore(), settings.embedding_model)
    try:
        vector = await asyncio.to_thread(embedder.embed_query, "ok")
    except ApplicationError as exc:
        hint = ("check EMBEDDING_MODEL (and LLM_API_KEY/LLM_API_BASE when it has LLM_MODEL's "
                "provider)" if exc.non_retryable else "the provider may be down; retry")
        return Check("Embeddings", FAIL, str(exc), hint)
    return Check("Embeddings", OK, f"{what}; it answered a {len(vector)}-dimension vector")


class _NoStore:
    """A store that keeps nothing: doctor's probe must reach the provider every time."""

    def get(self, key: str) -> bytes:
        from durable_research.store.errors import ArtifactMissingError

        raise ArtifactMissingError(key)

    def put(self, key: str, data: bytes) -> None:
        """Forget ``data``."""

    def exists(self, key: str) -> bool:
        """Nothing exists."""
        return False

    def describe(self) -> str:
        """Nowhere."""
        return "(nothing kept)"


async def check_mcp(settings: Settings) -> list[Check]:
    """Each MCP server of ``MCP_SERVERS``: does it answer, and which of its allowed tools
    does the agent get? (None configured: no finding.)"""
    from durable_research.research.mcp_client import McpUnavailableError, list_allowed

    checks = []
    for server in settings.mcp_server_list:
        name = f"MCP server {server.name}"
        where = " ".join(server.command) if server.command else server.url
        try:
            tools = await list_allowed(server)
        except (McpUnavailableError, TimeoutError, OSError) as exc:
            checks.append(Check(name, FAIL, f"{where}: {exc or 'no answer in time'}",
                                "check its command or URL (and the variables its env or "
                                "headers name); the agent is offered none of its tools"))
            continue
        got = [t.tool for t in tools]
        missing = [t for t in server.allow if t not in got]
        offered = ", ".join(got) or "none"
        if missing:
            checks.append(Check(name, WARN, f"{where}: the agent gets {offered}; the server "
                                f"has no {', '.join(missing)}",
                                "check the names in its \"allow\" list"))
        else:
            checks.append(Check(name, OK, f"{where}: the agent gets {offered}"))
    return checks
