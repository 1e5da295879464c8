"""durable-research against gpt-researcher on the same local documents and fake LLM.

Usage: python bench/gptr_compare.py [--limit 3] [--llm-delay 1.0] [--venv DIR] [--keep]
                                    [--embedding-dimensions 1024]

Issue 26, goal 5's comparison. Both tools research the same questions of
``bench/eval/questions.json`` over the same documents (``bench/eval/corpus``), offline,
against one fake LLM (``testing/fake_llm.py``) with the same latency per completion, one
report at a time, taking turns:

* durable-research as a user runs it: ``research run QUESTION --sources CORPUS --no-web``
  (embedded Temporal server and supervised worker; the first report, which starts them
  and indexes the folder, is printed apart as the cold run);
* gpt-researcher (pinned :data:`GPTR_VERSION`) in its own virtual environment, made with
  the project's uv under ``--venv`` (default: the user's cache folder, reused), run as a
  process (``_gptr_run.py``) with ``report_source="local"``: every model (fast, smart,
  strategic) and the embeddings on the fake LLM, its web retriever a SearXNG-format server
  with nothing in it (planning searches find nothing, as ``--no-web``).

The figures come from the fake LLM's own record of what it answered, for both tools alike:
LLM calls, prompt and completion tokens (words), embedding requests, texts and tokens
(langchain sends token ids: one word each to the fake) and the fake's seconds computing
them (its CPU, inside the wall time); wall time per report (the process's, start to exit);
whether a report came out, and which of the question's gold documents and of the corpus'
decoy pages it names.

What had to change for gpt-researcher to run offline (in its environment only): its
Markdown loader (unstructured) downloads spaCy's ``en_core_web_sm`` from GitHub ("Failed to
download spaCy model"; the official model is not on PyPI), so its copy of the documents
has the ``.md`` pages renamed ``.txt`` (same text, its plain-text loader); tiktoken
downloads ``o200k_base``, so ``TIKTOKEN_CACHE_DIR`` points at the copies bundled in its
venv's litellm; its planning makes one web search even with ``report_source="local"``, so
its retriever is SearXNG at a local server with no documents; its report writer streams
(the fake LLM streams). The fake LLM answers its three prompts by the rules it answers
ours (``_gptr_answers.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from _common import ROOT, machine, user_env
from _gptr_answers import answer

from durable_research.embedded.local_worker import stop_embedded
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.search_server import SearchServer

GPTR_VERSION = "0.15.1"
CORPUS = ROOT / "bench" / "eval" / "corpus"
QUESTIONS = ROOT / "bench" / "eval" / "questions.json"
RESEARCH = Path(sys.executable).with_name("research")
# tiktoken names its cached files by the SHA-1 of the URL it would download.
O200K = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
# The fake's hashed bag of words in 64 dimensions makes too many words share one for a
# ranking of whole documents (the WAL report's sources were Tcl undo code and the JSON
# functions: no gold document in 3); OpenAI's API lets a client ask for a size. How many
# chunks pass gpt-researcher's similarity threshold (0.42) depends on it, and so its
# context and prompt tokens: --embedding-dimensions 64 shows the other end.
EMBEDDING_DIMENSIONS = 1024
# The corpus' decoy pages (bench/eval/README.md): pages with planted wrong facts.
DECOYS = [str(p.relative_to(CORPUS)) for d in ("community", "wiki", "blog")
          for p in sorted((CORPUS / d).iterdir())]


@dataclass
class Outcome:
    """One report: what the fake LLM answered for it, its wall time, whether it came out."""

    tool: str
    question: str
    calls: int
    prompt: int
    completion: int
    embed_calls: int
    embed_texts: int
    embed_tokens: int
    embed_s: float
    wall: float
    done: bool
    note: str


def ensure_venv(venv: Path) -> Path:
    """gpt-researcher's own venv (made once, by the project's pinned uv); its python.

    Bytecode is compiled at install, as pip does by default (uv does not): where
    ``PYTHONDONTWRITEBYTECODE`` is set, as here, every run would compile its imports again
    (measured at load 7-10: its import took 9-18 s, compiled 2-4 s)."""
    python = venv / "bin" / "python"
    stamp = venv / f".gpt-researcher-{GPTR_VERSION}-compiled"
    if stamp.exists():
        return python
    t0 = time.perf_counter()
    uv = ["bash", str(ROOT / "scripts" / "uv.sh")]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([*uv, "venv", "-q", "--clear", "--python", sys.executable, str(venv)],
                   check=True, env=env)
    subprocess.run([*uv, "pip", "install", "-q", "--compile-bytecode", "--python", str(python),
                    f"gpt-researcher=={GPTR_VERSION}"], check=True, env=env)
    stamp.touch()
    print(f"gpt-researcher {GPTR_VERSION} installed in {venv} "
          f"({time.perf_counter() - t0:.0f} s)")
    return python


def tiktoken_cache(venv: Path) -> Path:
    """The tokenizer files bundled with the venv's litellm (tiktoken's cache format)."""
    found = list(venv.glob("lib/python*/site-packages/litellm/litellm_core_utils/tokenizers"))
    name = hashlib.sha1(O200K.encode()).hexdigest()  # tiktoken names its cache files so
    if not found or not (found[0] / name).exists():
        raise SystemExit(f"no bundled o200k_base in {venv}: tiktoken would download it")
    return found[0]


def gptr_docs(into: Path) -> Path:
    """The corpus as gpt-researcher reads it offline: ``.md`` pages as ``.txt``."""
    shutil.copytree(CORPUS, into)
    for page in into.rglob("*.md"):
        page.rename(page.with_suffix(".txt"))
    return into


def gptr_env(venv: Path, fake: FakeLLM, search: SearchServer, docs: Path,
             dimensions: int) -> dict[str, str]:
    """Every model, the embeddings and the retriever on local servers; nothing downloaded."""
    model = "openai:fake-model"
    return {**os.environ, "OPENAI_API_KEY": "sk-fake", "OPENAI_BASE_URL": fake.api_base,
            "FAST_LLM": model, "SMART_LLM": model, "STRATEGIC_LLM": model,
            "EMBEDDING": "openai:fake-embedding",
            "EMBEDDING_KWARGS": json.dumps({"dimensions": dimensions}),
            "RETRIEVER": "searx", "SEARX_URL": search.base_url, "DOC_PATH": str(docs),
            "TIKTOKEN_CACHE_DIR": str(tiktoken_cache(venv)),
            "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def measured(fake: FakeLLM, tool: str, question: str,
             run: Callable[[], tuple[float, bool, str]]) -> Outcome:
    """Run ``run()`` (-> wall, done, note) and take the fake LLM's record of it."""
    sent, embeds = len(fake.sent()), fake.embedding_calls
    texts, tokens, seconds = fake.embedded_texts, fake.embedded_tokens, fake.embedding_seconds
    wall, done, note = run()
    new = fake.sent()[sent:]
    return Outcome(tool, question, len(new), sum(s.prompt_tokens for s in new),
                   sum(s.completion_tokens for s in new), fake.embedding_calls - embeds,
                   fake.embedded_texts - texts, fake.embedded_tokens - tokens,
                   fake.embedding_seconds - seconds, wall, done, note)


def named(report: str, docs: list[str]) -> int:
    """How many of ``docs`` (corpus paths) a report names, by file name with any extension
    (gpt-researcher cites file names, its copy has the ``.md`` pages as ``.txt``)."""
    return sum(bool(re.search(rf"\b{re.escape(Path(d).stem)}\.(?:html|md|txt|pdf)\b", report))
               for d in docs)


def sources_note(report: str, q: dict[str, Any]) -> str:
    """Gold documents and decoy pages the report names."""
    return (f"gold docs named {named(report, q['gold_docs'])}/{len(q['gold_docs'])}, "
            f"decoy pages {named(report, DECOYS)}")


def run_ours(env: dict[str, str], q: dict[str, Any]) -> tuple[float, bool, str]:
    """``research run`` as a user: wall time, whether the PDF came out, its citations."""
    t0 = time.perf_counter()
    out = subprocess.run([str(RESEARCH), "run", q["question"], "--sources", str(CORPUS),
                          "--no-web", "--overwrite", "--format", "pdf,md"], env=env, cwd=ROOT,
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    pdf = re.search(r"^ PDF\s+(\S+)", out.stdout, re.M)
    cites = re.search(r"^ citations\s+(.+)$", out.stdout, re.M)
    done = out.returncode == 0 and pdf is not None and Path(pdf.group(1)).exists()
    if not done or pdf is None or cites is None:
        return wall, False, f"exit {out.returncode}: {out.stderr[-300:]}"
    markdown = Path(pdf.group(1)).with_suffix(".md")
    report = markdown.read_text(encoding="utf-8") if markdown.exists() else ""
    return wall, done, f"{cites.group(1)}; {sources_note(report, q)}"


def run_gptr(python: Path, env: dict[str, str], q: dict[str, Any],
             tmp: Path) -> tuple[float, bool, str]:
    """``_gptr_run.py`` in gpt-researcher's venv: wall time, report or not, its size."""
    out, log = tmp / "gptr.json", tmp / "gptr.log"
    t0 = time.perf_counter()
    with log.open("w") as sink:
        subprocess.run([str(python), str(ROOT / "bench" / "_gptr_run.py"), q["question"], str(out)],
                       env=env, cwd=tmp, stdout=sink, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    result = json.loads(out.read_text()) if out.exists() else {"error": log.read_text()[-500:]}
    if result.get("error") or not result.get("words"):
        return wall, False, f"no report: {str(result.get('error'))[-300:]}"
    report = str(result["report"])
    cited = len(re.findall(r"\]\([^)]+\)", report))
    return wall, True, (f"{result['words']} words, {cited} cited sentences; "
                        f"{sources_note(report, q)}; import {result['import_s']:.1f} s, "
                        f"research {result['research_s']:.1f} s, "
                        f"writing {result['write_s']:.1f} s")


def table(rows: list[Outcome]) -> None:
    """Print one line per report and the totals per tool."""
    print(f"{'tool':17} {'question':22} {'calls':>5} {'prompt':>7} {'compl':>6} "
          f"{'embedded: requests/texts/tokens, fake s':>38} {'wall s':>7}  report")
    for r in rows:
        embedded = f"{r.embed_calls}/{r.embed_texts}/{r.embed_tokens}, {r.embed_s:.1f}"
        print(f"{r.tool:17} {r.question[:22]:22} {r.calls:5} {r.prompt:7} {r.completion:6} "
              f"{embedded:>38} {r.wall:7.1f}  {'yes' if r.done else 'NO'}: {r.note}")
    for tool in dict.fromkeys(r.tool for r in rows):
        mine = [r for r in rows if r.tool == tool and not r.question.startswith("(cold)")]
        print(f"total {tool}: {len(mine)} reports, {sum(r.done for r in mine)} came out; "
              f"LLM calls {sum(r.calls for r in mine)}, prompt tokens "
              f"{sum(r.prompt for r in mine)}, completion tokens "
              f"{sum(r.completion for r in mine)}, embedding requests "
              f"{sum(r.embed_calls for r in mine)} ({sum(r.embed_texts for r in mine)} "
              f"texts, {sum(r.embed_tokens for r in mine)} tokens, the fake's CPU "
              f"{sum(r.embed_s for r in mine):.1f} s), "
              f"wall {sum(r.wall for r in mine):.1f} s")


def main() -> int:
    """Install gpt-researcher if needed, run both tools in turn, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3, help="questions (of 19)")
    parser.add_argument("--llm-delay", type=float, default=1.0, help="s per completion")
    parser.add_argument("--venv", type=Path,
                        default=CACHE / "durable-research-bench" / f"gptr-{GPTR_VERSION}")
    parser.add_argument("--embedding-dimensions", type=int, default=EMBEDDING_DIMENSIONS,
                        help="of the fake's vectors for gpt-researcher")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()
    if args.limit < 1 or args.llm_delay < 0 or args.embedding_dimensions < 1:
        parser.error("--limit and --embedding-dimensions must be at least 1, "
                     "--llm-delay not negative")
    questions = json.loads(QUESTIONS.read_text())["questions"][: args.limit]
    python = ensure_venv(args.venv)
    print(f"gptr compare: {len(questions)} questions, fake LLM {args.llm_delay} s per "
          f"completion, gpt-researcher {GPTR_VERSION} (embeddings of "
          f"{args.embedding_dimensions} dimensions); {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="gptr-compare-"))
    fake, search = FakeLLM(delay=args.llm_delay).start(), SearchServer().start()
    fake.configure(answer=answer)
    ours = user_env(tmp, fake)
    genv = gptr_env(args.venv, fake, search, gptr_docs(tmp / "docs"), args.embedding_dimensions)
    rows: list[Outcome] = []
    try:
        first = questions[0]
        rows.append(measured(fake, "durable-research", f"(cold) {first['id']}",
                             partial(run_ours, ours, first)))
        for q in questions:
            label = q["id"]
            print(f"  {label}: load {os.getloadavg()[0]:.2f}", flush=True)
            rows.append(measured(fake, "durable-research", label,
                                 partial(run_ours, ours, q)))
            rows.append(measured(fake, "gpt-researcher", label,
                                 partial(run_gptr, python, genv, q, tmp)))
    finally:
        stop_embedded(tmp / "data")
        fake.stop()
        search.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    table(rows)
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0 if all(r.done for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
