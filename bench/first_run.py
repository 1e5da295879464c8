"""The first run: ``research run`` with nothing running, and a worker process's start.

Usage: python bench/first_run.py [--runs 3] [--starts 5]

Issue 26, goal 1, each figure next to a baseline measured in the same run:

- a worker process from spawn to polling: the supervised worker's
  (``python -m durable_research.worker.proc``, told to go at once, as the supervisor
  tells its first worker) against a plain Temporal worker process (``_raw_start.py``:
  temporalio only, a no-op workflow), both against a running dev server; and when ours
  is warm (litellm imported and called once, the fonts loaded: ``ready``);
- ``research run`` with no server running (a new data folder and port each time,
  instant fake LLM): seconds to "Started workflow", to the PDF, to exit; against what
  a raw Temporal app pays before its first workflow can run at all: the dev server's
  boot (``start_dev_server`` until its port opens) plus a plain worker's start;
- the imports behind it, in fresh processes: the worker's modules and litellm, from the
  bytecode the install wrote (``scripts/precompile.py``) and compiled from source as
  every start did where ``PYTHONDONTWRITEBYTECODE`` is set and nothing was cached.

The environment is the user's (``PYTHONDONTWRITEBYTECODE`` as it is set).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DevServer, machine, pct, start_fake_llm, timed_run

from durable_research.testing.ports import free_port

BENCH = Path(__file__).resolve().parent
RESEARCH = str(Path(sys.executable).parent / "research")


def spawn_until(cmd: list[str], env: dict[str, str], marks_wanted: set[str],
                send_go: bool = False, timeout: float = 120) -> dict[str, float]:
    """Spawn ``cmd``; seconds until each status word in ``marks_wanted`` is on its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=BENCH, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    if send_go:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    marks: dict[str, float] = {}
    try:
        for line in proc.stdout:
            word = line.strip()
            if word in marks_wanted:
                marks.setdefault(word, time.perf_counter() - t0)
            if marks.keys() >= marks_wanted or time.perf_counter() - t0 > timeout:
                break
    finally:
        proc.stdin.close()  # both workers stop when their stdin closes
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if marks.keys() < marks_wanted:
        raise RuntimeError(f"{cmd} never said {sorted(marks_wanted - marks.keys())}")
    return marks


def import_seconds(code: str, env: dict[str, str]) -> float:
    """Wall seconds of ``python -c code`` in a fresh process."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


# What a worker imports to poll, and the LLM stack its first call needs.
IMPORTS = {
    "the worker's modules": "import durable_research.worker.build",
    "litellm": "import durable_research, litellm  # the package sets litellm's offline cost map",
}


def imports(env: dict[str, str], tmp: Path) -> dict[str, tuple[float, float]]:
    """Each import from the cached bytecode, and compiled from source (no cache: an
    empty ``PYTHONPYCACHEPREFIX``, nothing written), in fresh processes."""
    empty = tmp / "no-bytecode"
    empty.mkdir()
    uncached = dict(env, PYTHONPYCACHEPREFIX=str(empty), PYTHONDONTWRITEBYTECODE="1")
    return {label: (import_seconds(code, env), import_seconds(code, uncached))
            for label, code in IMPORTS.items()}


def litellm_bytecode() -> str:
    """Whether litellm's package has its bytecode cached next to it."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        return "litellm not installed"
    cached = Path(spec.origin).parent / "__pycache__"
    return "cached" if cached.is_dir() and any(cached.glob("*.pyc")) else "NOT cached"


def base_env(fake_api_base: str, tmp: Path) -> dict[str, str]:
    """The user's environment with the fake LLM and the bench's folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_"))}
    env.update(LLM_MODEL="openai/fake-model", LLM_API_KEY="bench-key", LLM_API_BASE=fake_api_base,
               RESEARCH_OUTPUT_DIR=str(tmp / "reports"), RESEARCH_ENV_FILE="/nonexistent/.env",
               RESEARCH_CONFIG_FILE="/nonexistent/config.env", EMAIL_TO="",
               RESEARCH_EMBEDDED="auto")
    return env


def worker_starts(tmp: Path, env: dict[str, str], starts: int) -> dict[str, list[float]]:
    """Ours and the raw worker's start to polling, taking turns against one server."""
    server = DevServer(tmp / "worker-server")
    boots: list[float] = []
    t0 = time.perf_counter()
    server.start()
    boots.append(time.perf_counter() - t0)
    rows: dict[str, list[float]] = {"raw": [], "ours": [], "ours warm": [], "boot": boots}
    ours_env = dict(env, TEMPORAL_ADDRESS=server.address, RESEARCH_EMBEDDED="never",
                    RESEARCH_DATA_DIR=str(tmp / "worker-data"))
    try:
        for i in range(starts):
            raw = spawn_until([sys.executable, str(BENCH / "_raw_start.py"), server.address,
                               f"raw-{i}"], env, {"polling"})
            rows["raw"].append(raw["polling"])
            ours = spawn_until([sys.executable, "-m", "durable_research.worker.proc"],
                               ours_env, {"polling", "ready"}, send_go=True)
            rows["ours"].append(ours["polling"])
            rows["ours warm"].append(ours["ready"])
    finally:
        server.stop()
    return rows


def first_runs(tmp: Path, env: dict[str, str], runs: int) -> tuple[list[dict[str, float]],
                                                                   list[float]]:
    """``research run`` from nothing, ``runs`` times; and the bare server boots between."""
    rows: list[dict[str, float]] = []
    boots: list[float] = []
    for i in range(runs):
        port = free_port()
        run_env = dict(env, TEMPORAL_ADDRESS=f"127.0.0.1:{port}",
                       TEMPORAL_UI_PORT=str(free_port()),
                       RESEARCH_DATA_DIR=str(tmp / f"first-{i}"))
        try:
            rows.append(timed_run([RESEARCH, "run", f"first run {i}"], run_env, tmp))
        finally:
            subprocess.run([RESEARCH, "server", "--stop"], env=run_env, cwd=tmp,
                           stdout=subprocess.DEVNULL, check=False)
        server = DevServer(tmp / f"boot-{i}")
        t0 = time.perf_counter()
        server.start()
        boots.append(time.perf_counter() - t0)
        server.stop()
    return rows, boots


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="first runs from nothing")
    ap.add_argument("--starts", type=int, default=5, help="worker starts of each kind")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-firstrun-"))
    fake = start_fake_llm(0.0)
    env = base_env(fake.api_base, tmp)
    print(f"first run: `research run` with no server running x{args.runs}, worker starts "
          f"x{args.starts}, instant fake LLM", flush=True)
    print(f"  machine: {machine()}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}; litellm bytecode "
          f"{litellm_bytecode()}", flush=True)
    try:
        loaded = imports(env, tmp)
        starts = worker_starts(tmp, env, args.starts)
        runs, boots = first_runs(tmp, env, args.runs)
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def p50(values: list[float]) -> float:
        return pct(values, 50)

    for label, (cached, uncached) in loaded.items():
        print(f"  import {label}: {cached:.2f} s from bytecode, {uncached:.2f} s compiling "
              f"(no bytecode cached) -> {uncached / cached:.1f}x")
    raw, ours, warm = p50(starts["raw"]), p50(starts["ours"]), p50(starts["ours warm"])
    print(f"  worker start -> polling: raw Temporal p50 {raw:.2f} s (max "
          f"{max(starts['raw']):.2f}), ours p50 {ours:.2f} s (max {max(starts['ours']):.2f}) "
          f"-> {ours / raw:.2f}x; ours warm (LLM stack and fonts loaded) p50 {warm:.2f} s")
    boot = p50(boots)
    for key, label in (("server", "server up"), ("started", "'Started workflow'"),
                       ("pdf", "PDF"), ("exit", "exit")):
        values = [r[key] for r in runs if key in r]
        print(f"  first `research run`, {label:<18}: p50 {p50(values):.2f} s "
              f"(runs {', '.join(f'{v:.2f}' for v in values)})")
    floor = boot + raw
    pdf = p50([r["pdf"] for r in runs])
    print(f"  raw Temporal before a first workflow can run: server boot p50 {boot:.2f} s + "
          f"raw worker start {raw:.2f} s = {floor:.2f} s")
    print(f"goal 1: first run PDF p50 {pdf:.2f} s (goal <= 3 s: "
          f"{'met' if pdf <= 3 else 'NOT met'}; {pdf / floor:.2f}x raw boot + worker start); "
          f"worker polls p50 {ours:.2f} s after start (goal <= 1.5 s: "
          f"{'met' if ours <= 1.5 else 'NOT met'}; raw {raw:.2f} s)")


if __name__ == "__main__":
    main()
