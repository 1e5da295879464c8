"""A real local web site about tardigrades, with every failure a fetcher must handle.

Articles come wrapped in boilerplate; there is a PDF, a Latin-1 text, a 404, a slow
page, a page whose headers drip in a byte at a time, a chain of slow redirects, a huge
page, a redirect loop, a redirect, an image and a page robots.txt forbids. The server
counts GET requests per path so tests can prove what was (not) fetched.
``write_fixture_documents`` writes local documents for the same topic.
"""

from __future__ import annotations

import argparse
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from durable_research.testing import fixture_pages as pages
from durable_research.testing.http_base import BackgroundServer, QuietServer

HUGE_BYTES = 11 * 1024 * 1024
_HTML = "text/html; charset=utf-8"
DRIP_S = 0.1
HOP_S = 0.3
_REDIRECTS = {"/loop": "/loop2", "/loop2": "/loop", "/redirect": "/articles/anatomy.html"}


@dataclass
class FixturePage:
    """A good article of the site, as a search server would index it."""

    url: str
    title: str
    text: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Silence per-request logging."""

    def _send(self, status: int, body: bytes, content_type: str = _HTML, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """Serve the fixture pages (see the module docstring)."""
        path = urlsplit(self.path).path
        self.server.count(path)
        article = pages.ARTICLES_BY_PATH.get(path)
        if article is not None:
            self._send(200, pages.article_html(article))
        elif path == "/":
            self._send(200, pages.index_html())
        elif path == "/robots.txt":
            self._send(200, pages.ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        elif path == "/papers/tardigrade-review.pdf":
            self._send(200, pages.review_pdf(), "application/pdf")
        elif path == "/notes/latin1.txt":
            body = pages.LATIN1_TEXT.encode("iso-8859-1")
            self._send(200, body, "text/plain; charset=iso-8859-1")
        elif path in _REDIRECTS:
            self._send(302, b"", "", Location=_REDIRECTS[path])
        elif path == "/image.png":
            self._send(200, pages.png_bytes(), "image/png")
        elif path == "/private/secret.html":
            self._send(200, pages.SECRET_HTML.encode())
        elif path == "/slow":
            # Wait on the stop event, not time.sleep: stop() must not hang on slow requests.
            if self.server.stopping.wait(self.server.slow_s):
                return
            self._send(200, pages.page_html("Slow page", ("This page took its time.",)).encode())
        elif path == "/huge":
            self._huge()
        elif path == "/drip-headers":
            self._drip_headers()
        elif path.startswith("/hop/") and path[5:].isdigit():
            # Each hop waits a little, then redirects to the next: hops left in the path.
            if self.server.stopping.wait(HOP_S):
                return
            left = int(path[5:])
            if left:
                self._send(302, b"", "", Location=f"/hop/{left - 1}")
            else:
                self._send(200, pages.page_html("Last hop", ("The chain ends here.",)).encode())
        else:
            self._send(404, b"<html><body><h1>Not found</h1></body></html>")

    def _drip_headers(self) -> None:
        """A status line, then header bytes one every ``DRIP_S`` seconds (for a minute):
        every read gets data, so no per-read timeout ever fires."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
        self.wfile.flush()
        for _ in range(int(60 / DRIP_S)):
            if self.server.stopping.wait(DRIP_S):
                return
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:  # the client gave up
                return

    def _huge(self) -> None:
        chunk = (b"<p>" + b"Tardigrades are water bears. " * 2000 + b"</p>\n")[:65536]
        head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body>\n"
        tail = b"</body></html>\n"
        count = (HUGE_BYTES - len(head) - len(tail)) // len(chunk) + 1
        self.send_response(200)
        self.send_header("Content-Type", _HTML)
        self.send_header("Content-Length", str(len(head) + count * len(chunk) + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        for _ in range(count):
            if self.server.stopping.is_set():
                return
            self.wfile.write(chunk)
        self.wfile.write(tail)


class _Server(QuietServer):
    def __init__(self, port: int, slow_s: float) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.slow_s = slow_s
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()

    def count(self, path: str) -> None:
        """Record one GET of ``path``."""
        with self.lock:
            self.hits[path] += 1



class FixtureSite(BackgroundServer):
    """In-process handle on the fixture web site, served on 127.0.0.1."""

    def __init__(self, port: int = 0, slow_s: float = 5.0) -> None:
        self._server: _Server = _Server(port, slow_s)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this site."""
        return self.base_url + "/" + path.lstrip("/")

    def stop(self) -> None:
        """Stop serving (slow and huge responses are cut short) and close the socket."""
        self._server.stopping.set()
        super().stop()

    def hits(self, path: str) -> int:
        """How many GET requests ``path`` received (query strings ignored)."""
        with self._server.lock:
            return self._server.hits["/" + path.lstrip("/")]

    def reset(self) -> None:
        """Zero the request counters."""
        with self._server.lock:
            self._server.hits.clear()

    def articles(self) -> list[FixturePage]:
        """The good article pages, with their plain text, for a search index."""
        return [FixturePage(self.url(a.path), a.title, a.text) for a in pages.ARTICLES]


# Local documents: one distinct fact per file, quoted by tests.
DOCUMENT_FACTS: dict[str, str] = {
    "diet.md": "Most tardigrades feed by piercing plant cells, algae or small animals with a "
    "pair of stylets and sucking out the contents.",
    "reproduction.txt": "Many tardigrade species reproduce by parthenogenesis, without males.",
    "habitats.html": "Tardigrades are commonly collected from mosses and lichens, which dry out "
    "and rehydrate again and again.",
    "model-organism.pdf": "Hypsibius exemplaris is used as a model organism because it can be "
    "cultured on algae in the laboratory.",
}
_HABITAT_TABLE = (
    "<table><tr><th>Habitat</th><th>Typical genus</th></tr>"
    "<tr><td>Moss cushions</td><td>Macrobiotus</td></tr>"
    "<tr><td>Marine sand</td><td>Batillipes</td></tr></table>"
)


def _documents() -> dict[str, bytes]:
    """File name -> bytes of the local fixture documents (the last one is unsupported)."""
    facts = DOCUMENT_FACTS
    diet = (
        "---\ntitle: What tardigrades eat\n---\n\n# Tardigrade diet\n\n"
        f"{facts['diet.md']}\n\n- Herbivores eat moss and algae.\n"
        "- Predators such as *Milnesium* eat rotifers and nematodes.\n"
    )
    reproduction = (
        f"Tardigrade reproduction\n\n{facts['reproduction.txt']}\n\n"
        "Some species lay their eggs inside the cuticle they shed while moulting.\n"
    )
    habitats = pages.page_html(
        "Where tardigrades live", (facts["habitats.html"],), extra_html=_HABITAT_TABLE
    )
    pdf = pages.make_pdf(
        "Tardigrades as laboratory animals",
        (facts["model-organism.pdf"], "Its generation time is about two weeks."),
    )
    return {
        "diet.md": diet.encode(),
        "reproduction.txt": reproduction.encode(),
        "habitats.html": habitats.encode(),
        "model-organism.pdf": pdf,
        "notes.odt": b"PK\x03\x04 an OpenDocument text, a type not supported",
    }


def write_fixture_documents(folder: Path) -> list[Path]:
    """Write local documents about tardigrades into ``folder``; return their paths.

    One each of ``.md``, ``.txt``, ``.html`` and ``.pdf`` (each with its own facts, see
    ``fixture_pages.DOCUMENTS``), then ``notes.odt``, a file type that is not supported.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in _documents().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> None:
    """Run the fixture site in the foreground (for benchmarks and manual tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds /slow waits")
    args = parser.parse_args()
    site = FixtureSite(port=args.port, slow_s=args.slow).start()
    site.serve_until_interrupted(f"fixture site listening on {site.base_url}")


if __name__ == "__main__":
    main()
