"""Write the bytecode of what the app runs, once, at install time (run by scripts/install.sh).

Where ``PYTHONDONTWRITEBYTECODE`` is set (CI, shared machines) Python never caches what it
compiles, so every process compiled its imports again: a worker took 10-13 s to import
litellm instead of 3-4 (issue 26). Importing the app's modules here, with bytecode writing
on, caches exactly what a command or a worker loads (litellm included, and what its first
call loads); the app's own package is compiled whole. uv's ``--compile-bytecode`` would
compile every file of every installed package: about twice the CPU on 2 cores (19.6 s
against 10.9 s, measured on a fresh clone, docs/benchmarks.md "Fast where it is felt
now"), for files no start reads.

Usage: ``python scripts/precompile.py`` (the venv's interpreter).
"""

from __future__ import annotations

import asyncio
import compileall
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

# Not imported: the fakes (tests and benchmarks only), a module that takes over the
# process's stdout when imported, and entry points that run when imported.
SKIPPED_PREFIXES = ("durable_research.testing",)
SKIPPED = ("durable_research.worker.proc",)
# The argument that makes this script the second process: litellm's first call only.
LLM_ONLY = "--llm-only"
FIRST_WORK = "--first-work"


def app_modules(root: Path) -> list[str]:
    """Every module of the app's package under ``root`` that is safe to import."""
    names = [info.name for info in pkgutil.walk_packages([str(root)], "durable_research.")]
    return [name for name in names
            if not name.startswith(SKIPPED_PREFIXES) and name not in SKIPPED
            and not name.endswith(".__main__")]


async def first_llm_call() -> None:
    """A mocked litellm call: litellm imports much of itself on its first call."""
    from durable_research.llm.calls import litellm_module

    await litellm_module().acompletion(model="openai/warm-up", mock_response="ok",
                                       messages=[{"role": "user", "content": "warm-up"}])


def first_work() -> None:
    """One of each kind of work a report does besides the LLM call, with bytecode
    writing on: the libraries loaded only then are cached too.

    A worker's first search, fetch, extraction, BM25 index and render import them
    (httpcore, anyio and h11, trafilatura and its date and URL helpers, pypdf, bm25s,
    fontTools...): about 230 modules a deep report's worker compiled again at each start
    where PYTHONDONTWRITEBYTECODE is set (1.2-1.4 s of CPU, on the first report's path).
    Each step is the app's own function: what it loads stays what the app loads.
    """
    import tempfile

    from durable_research.contract.report import KNOWN_FORMATS, ReportContent
    from durable_research.layout import write_report
    from durable_research.research.collection import ingest_paths
    from durable_research.research.extract import extract_text
    from durable_research.research.localdocs import search_collection
    from durable_research.store.directory import DirectoryStore

    with tempfile.TemporaryDirectory(prefix="precompile-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        body = ("# Precompile\n\nA sentence with a [link](https://example.org/) and "
                "a table.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n")
        content = ReportContent(question="precompile", body_markdown=body, model="-",
                                date="2000-01-01")
        write_report(content, docs, "report", KNOWN_FORMATS, True)
        store = DirectoryStore(Path(tmp) / "store")
        collection = ingest_paths(store, [docs])
        search_collection(store, collection.key, "precompile table", 3)
        extract_text((docs / "report.html").read_bytes(), "text/html",
                     "https://example.org/report.html", "utf-8")
    asyncio.run(first_request())


async def first_request() -> None:
    """One HTTP request over the app's client settings, to a server on 127.0.0.1 (httpx
    loads its transport, and the connection's modules, only then)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from durable_research.research.tls import ssl_context

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        async with httpx.AsyncClient(verify=ssl_context(), timeout=10) as client:
            await client.get(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str]) -> int:
    """Compile the package, import every module, make one mocked call and do a report's
    other first work (:func:`first_work`); 1 if one failed.

    The mocked call (litellm's import: about two thirds of the work) and the first work
    run in two more processes meanwhile, since the app's modules import litellm only on
    first need: on 2
    cores 11.4 and 15.1 s against 14.8 and 16.5 s, runs alternating on a fresh clone
    (2026-12-07, load 0.9-1.1, the same 3,819 files written). Both write
    bytecode; a module both compile is written twice, each time by an atomic rename.
    """
    sys.dont_write_bytecode = False  # what PYTHONDONTWRITEBYTECODE set
    # And for the processes started from here (these, and the PDF reader's server).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if argv == [LLM_ONLY]:
        asyncio.run(first_llm_call())
        return 0
    if argv == [FIRST_WORK]:
        first_work()
        return 0
    llm = subprocess.Popen([sys.executable, __file__, LLM_ONLY])
    work = subprocess.Popen([sys.executable, __file__, FIRST_WORK])
    import durable_research

    root = Path(durable_research.__file__).parent
    ok = compileall.compile_dir(root, quiet=1, workers=0)
    failed: list[str] = []
    for name in app_modules(root):
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported; the rest still gets compiled
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    if work.wait() != 0:
        failed.append(f"a report's first work: exit code {work.returncode}")
    if llm.wait() != 0:
        failed.append(f"litellm's first call: exit code {llm.returncode}")
    for line in failed:
        print(f"precompile: could not import {line}", file=sys.stderr)
    return 0 if ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
