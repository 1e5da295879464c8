"""The warm run: ``research run`` with the embedded server and its worker already up.

Usage: python bench/warm_run.py [--runs 10]

Issue 26, goal 2 ("Started workflow" <= 0.5 s, the PDF <= 0.8 s with a fast LLM),
each figure next to a baseline measured in the same run, on the same server:

- ``research run`` against an instant fake LLM, the embedded server and its
  supervised worker started the way a user does (``research server``) and warm (a
  first report done, the standby warm): seconds from spawn to "Started workflow", to
  the PDF line, to exit, and the process's CPU seconds;
- the raw baseline, taking turns with it: the Temporal tutorial's starter as a process
  (``_raw_client.py``: ``temporalio.client`` only, connect, start a no-op workflow of
  three activities, wait for its result) against a plain worker (``_raw_start.py``);
- the imports behind the start, in fresh processes: ``temporalio.client`` alone (the
  floor of any Python client) and ``durable_research.cli``
  (``tests/e2e/cli/test_lazy_imports.py`` checks which heavy modules ``research run``
  leaves out).

The load average is printed at the start and the end: on a shared machine the ratios
to the baseline are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, pct, start_fake_llm, timed_run
from cold_start import wait_polling

from durable_research.testing.ports import free_port

BENCH = Path(__file__).resolve().parent
RESEARCH = str(Path(sys.executable).parent / "research")
RAW_QUEUE = "warm-run-raw"
IMPORTS = {"temporalio.client": "import temporalio.client",
           "durable_research.cli": "import durable_research.cli"}


def cpu_timed_run(cmd: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """``timed_run``, and the CPU seconds (user + system) the process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks = timed_run(cmd, env, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return marks


def fresh_import(code: str, env: dict[str, str], runs: int) -> float:
    """Median wall seconds of ``python -c code`` in fresh processes."""
    took = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        took.append(time.perf_counter() - t0)
    return pct(took, 50)


def raw_worker(address: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """A plain Temporal worker on RAW_QUEUE, polling when this returns."""
    proc = subprocess.Popen([sys.executable, str(BENCH / "_raw_start.py"), address, RAW_QUEUE],
                            env=env, cwd=BENCH, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "polling":
        proc.kill()
        raise RuntimeError("the raw worker never polled")
    return proc


def line(label: str, rows: list[dict[str, float]]) -> str:
    """p50 (p95) of each mark of ``rows``."""
    def both(key: str) -> str:
        values = [r[key] for r in rows]
        return f"p50 {pct(values, 50):.2f} s (p95 {pct(values, 95):.2f})"
    return (f"  {label:<16}: 'Started workflow' {both('started')}, PDF {both('pdf')}, "
            f"exit {both('exit')}, CPU {both('cpu')}")


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-warmrun-"))
    fake = start_fake_llm(0.0)
    address = f"127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_"))}
    env.update(LLM_MODEL="openai/fake-model", LLM_API_KEY="bench-key",
               LLM_API_BASE=fake.api_base, TEMPORAL_ADDRESS=address,
               TEMPORAL_UI_PORT=str(free_port()), RESEARCH_DATA_DIR=str(tmp / "data"),
               RESEARCH_OUTPUT_DIR=str(tmp / "reports"), RESEARCH_EMBEDDED="auto",
               RESEARCH_ENV_FILE="/nonexistent/.env",
               RESEARCH_CONFIG_FILE="/nonexistent/config.env", EMAIL_TO="")
    print(f"warm run: `research run` x{args.runs}, embedded server and supervised worker "
          "up and warm, instant fake LLM; raw Temporal starter taking turns", flush=True)
    print(f"  machine: {machine()}", flush=True)
    ours: list[dict[str, float]] = []
    raw: list[dict[str, float]] = []
    worker = None
    try:
        subprocess.run([RESEARCH, "server"], env=env, cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        wait_polling(env, tmp)
        worker = raw_worker(address, env)
        raw_cmd = [sys.executable, str(BENCH / "_raw_client.py"), address, RAW_QUEUE]
        cpu_timed_run(raw_cmd, env, tmp)  # its first workflow warms the raw worker's cache
        for i in range(args.runs):
            raw.append(cpu_timed_run(raw_cmd, env, tmp))
            ours.append(cpu_timed_run([RESEARCH, "run", f"warm run {i}"], env, tmp))
        imports = {label: fresh_import(code, env, min(5, args.runs))
                   for label, code in IMPORTS.items()}
    finally:
        if worker is not None:
            assert worker.stdin is not None
            worker.stdin.close()  # the raw worker stops when its stdin closes
            worker.wait(timeout=30)
        subprocess.run([RESEARCH, "server", "--stop"], env=env, cwd=tmp,
                       stdout=subprocess.DEVNULL, check=False)
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(line("research run", ours))
    print(line("raw Temporal", raw))
    for label, took in imports.items():
        print(f"  fresh `import {label}`: p50 {took:.2f} s")
    started, pdf = pct([r["started"] for r in ours], 50), pct([r["pdf"] for r in ours], 50)
    raw_started, raw_pdf = (pct([r["started"] for r in raw], 50),
                            pct([r["pdf"] for r in raw], 50))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average at the end: {load}")
    print(f"goal 2 (warm run): 'Started workflow' p50 {started:.2f} s (goal <= 0.5 s: "
          f"{'met' if started <= 0.5 else 'NOT met'}; {started / raw_started:.2f}x raw), PDF "
          f"p50 {pdf:.2f} s (goal <= 0.8 s: {'met' if pdf <= 0.8 else 'NOT met'}; "
          f"{pdf / raw_pdf:.2f}x raw)")


if __name__ == "__main__":
    main()
