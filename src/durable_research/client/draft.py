"""The draft so far: the sections a running report has written, read from the artifact
store by the keys its status query lists (``ResearchProgress.sections``), while later
sub-questions still run. The CLI's ``status``, the web page and MCP ``get_status`` show it."""

from __future__ import annotations

import asyncio

from durable_research.config import Settings
from durable_research.contract.keys import run_prefix
from durable_research.contract.research import ResearchProgress

# How much of the draft a status shows (the report has it all).
DRAFT_SHOWN_CHARS = 4000


def draft_sections(settings: Settings, workflow_id: str,
                   research: ResearchProgress | None) -> list[str]:
    """The texts of the sections written so far, in plan order ([] if none or the store
    cannot be read: a status never fails for its draft). Only keys under the report's own
    run folder are read. Blocking (file or S3 reads): async callers use
    :func:`draft_sections_async`."""
    from durable_research.errors import StoreError
    from durable_research.store import get_text
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    keys = [k for k in (research.sections if research else [])
            if k.startswith(run_prefix(workflow_id))]
    if not keys:
        return []
    try:
        store = open_store(settings)
        return [get_text(store, key).strip() for key in keys]
    except (StoreError, StoreUnavailableError, OSError):
        return []


async def draft_sections_async(settings: Settings, workflow_id: str,
                               research: ResearchProgress | None) -> list[str]:
    """:func:`draft_sections` in a thread."""
    if research is None or not research.sections:
        return []
    return await asyncio.to_thread(draft_sections, settings, workflow_id, research)


def draft_text(sections: list[str]) -> str:
    """The sections as one Markdown text, cut at :data:`DRAFT_SHOWN_CHARS`."""
    text = "\n\n".join(sections)
    return text if len(text) <= DRAFT_SHOWN_CHARS else text[:DRAFT_SHOWN_CHARS] + "\n\n…"


def draft_title(research: ResearchProgress) -> str:
    """``draft so far: 2 of 8 sections``."""
    return f"draft so far: {len(research.sections)} of {len(research.plan)} sections"
