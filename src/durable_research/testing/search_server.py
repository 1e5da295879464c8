"""A real HTTP search engine on 127.0.0.1 speaking SearXNG's, Tavily's and Brave's JSON APIs.

Providers are tested over their normal HTTP path against it; nothing leaves the machine.
Documents added with :meth:`SearchServer.add_documents` are ranked by keyword overlap.

Endpoints::

    GET  /search?q=..&format=json             SearXNG (format other than json: 403)
    POST /tavily/search {query, max_results}  Tavily (Authorization: Bearer <api_key>)
    GET  /brave/res/v1/web/search?q=&count=   Brave (X-Subscription-Token: <api_key>)

Scripted actions (a queue, consumed one per search request; when empty, normal results)::

    {"status": 500}                        # server error
    {"status": 429, "retry_after": 2}      # rate limited, with Retry-After
    {"status": 401}                        # bad key
    {"delay": 3.0}                         # slow, then normal results
    {"body": "<html>proxy</html>"}         # 200 with this body (malformed JSON)
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from durable_research.testing.http_base import BackgroundServer, QuietServer

DEFAULT_API_KEY = "test-key"
SNIPPET_CHARS = 200
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1}


@dataclass
class _State:
    api_key: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    docs: list[tuple[str, str, str]] = field(default_factory=list)
    script: deque[dict[str, Any]] = field(default_factory=deque)
    queries: list[str] = field(default_factory=list)

    def rank(self, query: str) -> list[tuple[str, str, str, int]]:
        """Documents sharing words with ``query``, most shared first (caller holds the lock)."""
        wanted = _words(query)
        scored = []
        for position, (url, title, text) in enumerate(self.docs):
            # Title words count double, as engines weigh titles higher.
            score = 2 * len(wanted & _words(title)) + len(wanted & _words(text))
            if score:
                scored.append((-score, position, url, title, text))
        scored.sort()
        return [(url, title, text, -neg) for neg, _, url, title, text in scored]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Silence per-request logging."""

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None,
              raw: str | None = None) -> None:
        data = (raw if raw is not None else json.dumps(payload)).encode()
        self.send_response(status)
        kind = "text/html" if raw is not None else "application/json"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """SearXNG and Brave searches."""
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/search":
            if params.get("format") != "json":
                self._send(403, None, raw="<html><body>403 Forbidden</body></html>")
                return
            self._serve("searxng", params.get("q", ""), 0)
        elif parts.path == "/brave/res/v1/web/search":
            if self.headers.get("X-Subscription-Token") != self.server.state.api_key:
                self._send(401, {"type": "ErrorResponse", "error": {"code": "SUBSCRIPTION_TOKEN"}})
                return
            self._serve("brave", params.get("q", ""), int(params.get("count") or 20))
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        """Tavily searches."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path != "/tavily/search":
            self._send(404, {"error": "not found"})
            return
        if self.headers.get("Authorization") != f"Bearer {self.server.state.api_key}":
            self._send(401, {"detail": {"error": "Unauthorized: missing or invalid API key."}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"detail": {"error": "invalid JSON"}})
            return
        self._serve("tavily", str(body.get("query", "")), int(body.get("max_results") or 5))

    def _serve(self, flavour: str, query: str, limit: int) -> None:
        state = self.server.state
        with state.lock:
            state.queries.append(query)
            action = state.script.popleft() if state.script else {}
            ranked = state.rank(query)
        status = int(action.get("status", 200))
        if status != 200:
            headers = {}
            if "retry_after" in action:
                headers["Retry-After"] = str(action["retry_after"])
            self._send(status, {"error": f"scripted failure {status}"}, headers)
            return
        if action.get("delay"):
            time.sleep(float(action["delay"]))
        if "body" in action:
            self._send(200, None, raw=str(action["body"]))
            return
        if limit:
            ranked = ranked[:limit]
        results: list[dict[str, Any]]
        if flavour == "searxng":
            results = [{"url": u, "title": t, "content": x[:SNIPPET_CHARS], "engine": "fake"}
                       for u, t, x, _ in ranked]
            self._send(200, {"query": query, "number_of_results": len(results),
                             "results": results})
        elif flavour == "tavily":
            top = max((s for *_, s in ranked), default=1)
            results = [{"url": u, "title": t, "content": x[:SNIPPET_CHARS],
                        "score": round(s / top, 3)} for u, t, x, s in ranked]
            self._send(200, {"query": query, "results": results})
        else:
            results = [{"url": u, "title": t, "description": x[:SNIPPET_CHARS]}
                       for u, t, x, _ in ranked]
            self._send(200, {"type": "search", "web": {"type": "search", "results": results}})


class _Server(QuietServer):
    state: _State



class SearchServer(BackgroundServer):
    """In-process handle on a fake search engine on 127.0.0.1."""

    def __init__(self, port: int = 0, api_key: str = DEFAULT_API_KEY) -> None:
        """Bind to ``port`` (0: any free one); Tavily and Brave requests must carry ``api_key``."""
        self._server: _Server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = _State(api_key=api_key)


    @property
    def tavily_endpoint(self) -> str:
        """The endpoint to give ``TavilyProvider`` in tests."""
        return f"{self.base_url}/tavily/search"

    @property
    def brave_endpoint(self) -> str:
        """The endpoint to give ``BraveProvider`` in tests."""
        return f"{self.base_url}/brave/res/v1/web/search"

    def add_documents(self, docs: Iterable[tuple[str, str, str]]) -> None:
        """Index ``(url, title, text)`` documents for keyword search."""
        with self._server.state.lock:
            self._server.state.docs.extend(docs)

    def script(self, *actions: dict[str, Any]) -> None:
        """Append scripted actions, consumed one per search request."""
        with self._server.state.lock:
            self._server.state.script.extend(actions)

    @property
    def queries(self) -> list[str]:
        """Every query received so far (a copy), failed requests included."""
        with self._server.state.lock:
            return list(self._server.state.queries)

    def reset(self) -> None:
        """Forget received queries and pending scripted actions (documents stay)."""
        with self._server.state.lock:
            self._server.state.queries.clear()
            self._server.state.script.clear()


def main() -> None:
    """Run the fake engine in the foreground, with documents from a JSON file if given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--docs", help="JSON file: a list of [url, title, text]")
    args = parser.parse_args()
    server = SearchServer(port=args.port).start()
    if args.docs:
        with open(args.docs, encoding="utf-8") as f:
            server.add_documents(tuple(d) for d in json.load(f))
    server.serve_until_interrupted(
        f"fake search engine (SearXNG API) listening on {server.base_url}")


if __name__ == "__main__":
    main()
