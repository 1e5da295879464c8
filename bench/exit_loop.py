"""Run ``research start`` N times against a dev server; count abnormal exits.

Usage: python bench/exit_loop.py [--runs 300] [--parallel 1] [--unmitigated]

Each run is the console script a user calls (a new process, real client, real server, no
worker: ``start`` returns once the workflow exists). A run is abnormal when it exits
non-zero or by a signal (the teardown crash was exit 134/139 after the id was printed),
hangs, writes a crash marker to stderr, or prints anything but the id on stdout.
``--unmitigated`` runs the same app without the entry point's ``os._exit``, to see
whether the crash it guards against still happens. Ends with ``exit loop: PASS`` or
``exit loop: FAIL`` (exit 1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import DevServer, machine, p50_p95

from durable_research.testing.exit_check import Ended, research_command, run_start


def cli_env(address: str, tmp: Path) -> dict[str, str]:
    """A user's environment for the CLI: this server, a throwaway data dir, no .env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_"))}
    env.update(
        # `start` never calls the model; these only satisfy the settings check.
        LLM_MODEL="openai/fake-model", LLM_API_KEY="bench-key",
        LLM_API_BASE="http://127.0.0.1:9/v1", TEMPORAL_ADDRESS=address,
        TEMPORAL_TASK_QUEUE=f"exit-loop-{uuid.uuid4().hex[:8]}",
        RESEARCH_DATA_DIR=str(tmp / "data"), RESEARCH_OUTPUT_DIR=str(tmp / "reports"),
        RESEARCH_EMBEDDED="never", RESEARCH_ENV_FILE="/nonexistent/.env",
    )
    return env


def main() -> int:
    """Run the loop and print the figures; returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--parallel", type=int, default=1, help="processes at a time")
    ap.add_argument("--unmitigated", action="store_true",
                    help="run the app without the entry point's os._exit")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-exit-"))
    server = DevServer(tmp / "server")
    server.start()
    env = cli_env(server.address, tmp)
    cmd = " ".join(research_command(not args.unmitigated))[:60]
    print(f"exit loop: {args.runs} x `research start` ({cmd}), {args.parallel} at a time, "
          f"{'WITHOUT' if args.unmitigated else 'with'} the os._exit mitigation", flush=True)
    print(f"  machine: {machine()}", flush=True)
    ended: list[Ended] = []
    try:
        with ThreadPoolExecutor(args.parallel) as pool:
            runs = pool.map(lambda i: run_start(f"exit loop question {i}", env, tmp,
                                                mitigated=not args.unmitigated),
                            range(args.runs))
            for i, one in enumerate(runs, 1):
                ended.append(one)
                if one.problem:
                    print(f"  run {i}: {one.problem}; stderr: {one.stderr.strip()[-300:]!r}",
                          flush=True)
                if i % 50 == 0:
                    bad = sum(1 for e in ended if e.problem)
                    print(f"  {i}/{args.runs} done, abnormal so far {bad}", flush=True)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return summarize(ended)


def summarize(ended: list[Ended]) -> int:
    """Print the counts, the kinds of problem and any unexpected stderr; 0 when all clean."""
    problems = Counter(e.problem.split(";")[0] for e in ended if e.problem)
    other_stderr = Counter(e.unexpected_stderr[-200:] for e in ended if e.unexpected_stderr)
    codes = Counter(e.returncode for e in ended)
    print(f"  exit codes: {dict(sorted(codes.items()))}")
    print(f"  abnormal exits: {sum(problems.values())} of {len(ended)}"
          + (f" ({', '.join(f'{k} x{v}' for k, v in problems.most_common())})" if problems
             else ""))
    print(f"  runs with stderr other than the start hint: {sum(other_stderr.values())}")
    for text, n in other_stderr.most_common(5):
        print(f"    x{n}: {text!r}")
    print(f"  time per command: {p50_p95([e.seconds for e in ended])}")
    ok = not problems
    print("exit loop: PASS" if ok else "exit loop: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
