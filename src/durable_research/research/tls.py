"""One TLS context per process for the app's own HTTP clients (web search, page fetching).

An ``httpx.AsyncClient`` made without one builds a context of its own and reads the CA
bundle into it: 50 ms of CPU (34 ms for the context alone, measured with httpx 0.28 on
these 2 cores), spent in the worker's event loop, where it holds up every other report's
steps and workflow tasks. A search made a client per request, so a deep report paid it
once per search (a profile of the agent's deep report: a fifth of the event loop's busy
time). A context can be shared by any number of clients and threads.
"""

from __future__ import annotations

import ssl
from functools import lru_cache

import httpx


@lru_cache(maxsize=2)
def ssl_context(trust_env: bool = True) -> ssl.SSLContext:
    """The context httpx would make for a client with this ``trust_env`` (certifi's CA
    bundle; with ``trust_env``, SSL_CERT_FILE / SSL_CERT_DIR when set), made once."""
    return httpx.create_ssl_context(trust_env=trust_env)
