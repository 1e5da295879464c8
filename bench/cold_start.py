"""Cold start of ``research run`` with the embedded server (and its worker) already running.

Usage: python bench/cold_start.py [--runs 10]

Starts the embedded server the way a user does (``research server``: the dev server
plus the supervised worker), waits for the worker to poll, then times ``research
run`` end to end against an instant fake LLM: when "Started workflow" appears, when
the PDF path appears, when the process exits. For comparison, in the same run, the
same command hosting its own worker in-process (against a plain dev server with
``RESEARCH_EMBEDDED=never``, so no supervised worker exists: what ``research run`` did
before issue 14, importing litellm and starting a worker each time) and a bare
``python -c 'import temporalio.client'``. Finally ``research server --stop`` must leave
no worker behind.
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

from durable_research.embedded.local_worker import running_supervisor
from durable_research.testing.ports import free_port
from durable_research.worker.supervisor import STANDBY_WARM

RESEARCH = [str(Path(sys.executable).parent / "research")]


def wait_polling(env: dict[str, str], cwd: Path, timeout: float = 120) -> None:
    """Wait until ``research doctor`` would see a worker: a first report completes; then
    until the supervisor's standby has warmed up (it starts once the first worker is warm,
    and its warm-up would take CPU from the runs timed next)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            timed_run([*RESEARCH, "run", "warm-up", "--depth", "quick"], env, cwd)
            break
        except RuntimeError:
            time.sleep(1)
    else:
        raise TimeoutError("the supervised worker never served a report")
    log = Path(env["RESEARCH_DATA_DIR"]) / "worker.log"
    while time.monotonic() < deadline and STANDBY_WARM not in log.read_text(errors="replace"):
        time.sleep(0.2)


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-coldstart-"))
    fake = start_fake_llm(0.0)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_"))}
    env.update(LLM_MODEL="openai/fake-model", LLM_API_KEY="bench-key",
               LLM_API_BASE=fake.api_base, TEMPORAL_ADDRESS=f"127.0.0.1:{port}",
               TEMPORAL_UI_PORT=str(free_port()), RESEARCH_DATA_DIR=str(tmp / "data"),
               RESEARCH_OUTPUT_DIR=str(tmp / "reports"), RESEARCH_EMBEDDED="auto",
               RESEARCH_ENV_FILE="/nonexistent/.env",
               RESEARCH_CONFIG_FILE="/nonexistent/config.env")
    print(f"cold start: `research run` x{args.runs}, embedded server and worker already "
          "running, instant fake LLM", flush=True)
    print(f"  machine: {machine()}", flush=True)
    try:
        subprocess.run([*RESEARCH, "server"], env=env, cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        wait_polling(env, tmp)
        detached = [timed_run([*RESEARCH, "run", f"cold start {i}"], env, tmp)
                    for i in range(args.runs)]
        plain = DevServer(tmp / "plain-server")  # no supervisor: the CLI hosts a worker
        plain.start()
        try:
            own = dict(env, TEMPORAL_ADDRESS=plain.address, RESEARCH_EMBEDDED="never",
                       RESEARCH_DATA_DIR=str(tmp / "own-data"))
            hosted = [timed_run([*RESEARCH, "run", f"hosted {i}"], own, tmp)
                      for i in range(max(1, args.runs // 3))]
        finally:
            plain.stop()
        bare = []
        for _ in range(min(5, args.runs)):  # 5 by default; fewer in the smoke test
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import temporalio.client"], check=True)
            bare.append(time.perf_counter() - t0)
    finally:
        subprocess.run([*RESEARCH, "server", "--stop"], env=env, cwd=tmp,
                       stdout=subprocess.DEVNULL, check=False)
        fake.stop()
    left = running_supervisor(tmp / "data")
    shutil.rmtree(tmp, ignore_errors=True)  # servers' data, reports: nothing to keep

    def p50(rows: list[dict[str, float]], key: str) -> float:
        return pct([r[key] for r in rows], 50)

    for label, rows in (("supervised worker", detached), ("in-process worker", hosted)):
        print(f"  {label:<18}: 'Started workflow' p50 {p50(rows, 'started'):.2f} s (p95 "
              f"{pct([r['started'] for r in rows], 95):.2f}), PDF p50 {p50(rows, 'pdf'):.2f} s "
              f"(p95 {pct([r['pdf'] for r in rows], 95):.2f}), exit p50 {p50(rows, 'exit'):.2f} s")
    print(f"  bare `import temporalio.client`: p50 {pct(bare, 50):.2f} s")
    started, pdf = p50(detached, "started"), p50(detached, "pdf")
    print(f"  goal 3: 'Started workflow' p50 {started:.2f} s (goal <= 0.5 s: "
          f"{'met' if started <= 0.5 else 'NOT met'}), PDF p50 {pdf:.2f} s (goal <= 1.5 s: "
          f"{'met' if pdf <= 1.5 else 'NOT met'}); in-process hosting PDF p50 "
          f"{p50(hosted, 'pdf'):.2f} s ({p50(hosted, 'pdf') / pdf:.1f}x)")
    print(f"  issue 26, goal 2 (warm run): 'Started workflow' p50 {started:.2f} s (goal <= 0.5 s: "
          f"{'met' if started <= 0.5 else 'NOT met'}), PDF p50 {pdf:.2f} s (goal <= 0.8 s: "
          f"{'met' if pdf <= 0.8 else 'NOT met'}); bare `import temporalio.client` "
          f"{pct(bare, 50):.2f} s, {started / pct(bare, 50):.1f}x of it to 'Started workflow'")
    print(f"  `research server --stop` left the worker supervisor running: {left is not None}")


if __name__ == "__main__":
    main()
