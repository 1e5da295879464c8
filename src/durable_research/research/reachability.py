"""Does DuckDuckGo answer from here? One bounded probe for ``SEARCH_PROVIDER=auto``.

A TCP connection to ``SEARCH_DDGS_PROBE`` (``duckduckgo.com:443``; the name lookup
included), nothing sent, given :data:`PROBE_TIMEOUT_S` in all. Made only where a report
is prepared and by ``research doctor`` (never in a workflow, never per search), and only
when auto's choice depends on it (:func:`websearch.needs_probe`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.contract.research import DdgsReach
from durable_research.research.websearch import needs_probe

# Offline, the name lookup fails at once; a captive or filtered network may never answer.
# Two seconds is long for neither a report being started nor doctor.
PROBE_TIMEOUT_S = 2.0

# What a front end calls: the settings in, the finding out (tests inject their own).
Probe = Callable[[Settings], Awaitable[DdgsReach]]


async def tcp_answers(address: str, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether ``host:port`` accepts a TCP connection within ``timeout_s`` seconds."""
    host, _, port = address.rpartition(":")
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host.strip("[]"), int(port)), timeout_s)
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def probe_ddgs(settings: Settings) -> DdgsReach:
    """The finding auto's choice needs: off, answers or unreachable (no probe when the
    settings do not need one: unchecked)."""
    if not needs_probe(settings):
        return DdgsReach.UNCHECKED
    if settings.search_ddgs_probe == DDGS_PROBE_OFF:
        return DdgsReach.OFF
    answers = await tcp_answers(settings.search_ddgs_probe)
    return DdgsReach.ANSWERS if answers else DdgsReach.UNREACHABLE
