"""Write the bytecode of what the app runs, once, at install time (run by scripts/install.sh).

Where ``PYTHONDONTWRITEBYTECODE`` is set (CI, shared machines) Python never caches what it
compiles, so every process compiled its imports again: a worker took 10-13 s to import
litellm instead of 3-4 (issue 26).

Two ways, the same files. The fast one compiles, in one process per core, the files listed
in ``scripts/precompile-files.txt``: what the app's modules, litellm's first call and a
report's first work load, recorded by the slow one. The slow one (the list is missing or
was recorded for another ``uv.lock``) imports the app's modules and does that first work
with bytecode writing on: it runs each module's code too, which the fast one does not (on a
fresh clone: 17.7 s of CPU in three processes against about 7 s compiling the same ~4,000
files; docs/benchmarks.md, goal 1, eighth session). The app's own package is compiled whole
either way. uv's ``--compile-bytecode`` would compile every file of every installed package:
10,300 files, 23 s of CPU, for files no start reads.

Usage: ``python scripts/precompile.py`` (the venv's interpreter); after ``make lock`` or a
new import of a library: ``python scripts/precompile.py --record`` writes the list again.
"""

from __future__ import annotations

import asyncio
import compileall
import hashlib
import importlib
import importlib.util
import os
import pkgutil
import py_compile
import subprocess
import sys
import sysconfig
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# Not imported: the fakes (tests and benchmarks only), a module that takes over the
# process's stdout when imported, and entry points that run when imported.
SKIPPED_PREFIXES = ("durable_research.testing",)
SKIPPED = ("durable_research.worker.proc",)
# The argument that makes this script the second process: litellm's first call only.
LLM_ONLY = "--llm-only"
FIRST_WORK = "--first-work"
# The embedded model server's runtime (embedded/localmodel.RUNTIME_MODULE; not imported
# from there: this script runs before anything but the sync has been done).
MODEL_RUNTIME = "xllamacpp"
# The slow way alone (what --record runs, with an empty cache folder).
BY_IMPORT = "--by-import"
RECORD = "--record"
HERE = Path(__file__).resolve().parent
FILE_LIST = HERE / "precompile-files.txt"
LOCK = HERE.parent / "uv.lock"
# The list's first line: the uv.lock it was recorded for.
LOCK_LINE = "# uv.lock sha256 "


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

    from durable_research.contract.report import KNOWN_FORMATS, ReportContent
    from durable_research.layout import write_report
    from durable_research.research.collection import ingest_paths
    from durable_research.research.extract import extract_text
    from durable_research.research.language import detect_language
    from durable_research.research.localdocs import search_collection
    from durable_research.store.directory import DirectoryStore

    detect_language("precompile")  # fastText, loaded by a command's first question
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


def lock_digest(lock: Path = LOCK) -> str:
    """The SHA-256 of ``uv.lock``: the list holds what those pinned versions load."""
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def read_list(path: Path = FILE_LIST) -> tuple[str, list[str]]:
    """The lock digest the list was recorded for ("" if none) and its files, relative to
    site-packages."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return "", []
    digest = next((line.removeprefix(LOCK_LINE) for line in lines
                   if line.startswith(LOCK_LINE)), "")
    return digest, [line for line in lines if line and not line.startswith("#")]


def site_packages() -> Path:
    """This interpreter's site-packages (the venv's, run as the install runs it)."""
    return Path(sysconfig.get_paths()["purelib"])


def _compile_some(paths: list[str]) -> list[str]:
    failed = []
    for path in paths:
        try:
            py_compile.compile(path, doraise=True)
        except (py_compile.PyCompileError, OSError) as exc:
            failed.append(f"{path}: {exc}")
    return failed


def compile_files(paths: list[Path], workers: int) -> list[str]:
    """Compile ``paths`` in ``workers`` processes (compiling holds the GIL); the failures."""
    names = [str(path) for path in paths]
    shares = [names[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [line for failed in pool.map(_compile_some, shares) for line in failed]


def compile_listed(app_root: Path, files: list[str]) -> list[str]:
    """The fast way: the app's package and the listed files (those installed: another
    Python may lack a few), compiled, never run; the failures."""
    base = site_packages()
    paths = [base / name for name in files]
    paths = [path for path in paths if path.is_file()]
    paths += sorted(app_root.rglob("*.py"))
    return compile_files(paths, max(1, min(os.cpu_count() or 1, 4)))


def by_import(app_root: Path) -> list[str]:
    """The slow way: import every module, make one mocked call and do a report's other
    first work (:func:`first_work`); the failures.

    The mocked call (litellm's import: about two thirds of the work) and the first work
    run in two more processes meanwhile, since the app's modules import litellm only on
    first need: on 2 cores 11.4 and 15.1 s against 14.8 and 16.5 s, runs alternating on a
    fresh clone (2026-12-07, load 0.9-1.1, the same 3,819 files written). Both write
    bytecode; a module both compile is written twice, each time by an atomic rename.
    """
    llm = subprocess.Popen([sys.executable, __file__, LLM_ONLY])
    work = subprocess.Popen([sys.executable, __file__, FIRST_WORK])
    failed: list[str] = []
    if importlib.util.find_spec(MODEL_RUNTIME) is not None:
        # In a process of its own, as the model server imports it: beside another Cython
        # extension it fails ("Shared Cython type ... has the wrong size").
        code = subprocess.run([sys.executable, "-c", f"import {MODEL_RUNTIME}"]).returncode
        if code != 0:
            failed.append(f"{MODEL_RUNTIME}: exit code {code}")
    if not compileall.compile_dir(app_root, quiet=1, workers=0):
        failed.append("the app's package: a file did not compile")
    for name in app_modules(app_root):
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported; the rest still gets compiled
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    if work.wait() != 0:
        failed.append(f"a report's first work: exit code {work.returncode}")
    if llm.wait() != 0:
        failed.append(f"litellm's first call: exit code {llm.returncode}")
    return failed


def recorded_files(cache: Path, base: Path) -> list[str]:
    """The sources under ``base`` whose bytecode is in ``cache`` (a PYTHONPYCACHEPREFIX
    folder), relative to ``base``."""
    tag = f".{sys.implementation.cache_tag}.pyc"
    mirror = cache / base.relative_to(base.anchor)
    return sorted(str(pyc.relative_to(mirror).with_name(pyc.name.removesuffix(tag) + ".py"))
                  for pyc in mirror.rglob(f"*{tag}"))


def record(out: Path = FILE_LIST) -> int:
    """Write the list: the slow way into an empty cache folder, what it wrote, by file."""
    with tempfile.TemporaryDirectory(prefix="precompile-record-") as cache:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
        code = subprocess.run([sys.executable, __file__, BY_IMPORT], env=env).returncode
        if code != 0:
            return code
        files = recorded_files(Path(cache), site_packages())
    header = ["# What the app loads from site-packages: its modules, litellm's first call and a",
              "# report's first work, recorded by `python scripts/precompile.py --record`",
              "# (scripts/precompile.py compiles these at install). Record it again after",
              "# `make lock` or a new import of a library.",
              f"{LOCK_LINE}{lock_digest()}"]
    out.write_text("\n".join([*header, *files]) + "\n")
    print(f"precompile: {len(files)} files listed in {out}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    """Write the bytecode (the fast way if the list is of this uv.lock); 1 if some failed,
    2 for an unknown argument."""
    if argv not in ([], [LLM_ONLY], [FIRST_WORK], [RECORD], [BY_IMPORT]):
        print(f"usage: precompile.py [{RECORD} | {BY_IMPORT}]", file=sys.stderr)
        return 2
    sys.dont_write_bytecode = False  # what PYTHONDONTWRITEBYTECODE set
    # And for the processes started from here (these, and the PDF reader's server).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if argv == [LLM_ONLY]:
        asyncio.run(first_llm_call())
        return 0
    if argv == [FIRST_WORK]:
        first_work()
        return 0
    if argv == [RECORD]:
        return record()
    import durable_research

    root = Path(durable_research.__file__).parent
    digest, files = read_list()
    if argv == [] and files and digest == lock_digest():
        failed = compile_listed(root, files)
    else:
        failed = by_import(root)
    for line in failed:
        print(f"precompile: could not compile {line}", file=sys.stderr)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
