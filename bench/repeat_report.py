"""The same report N times: are the Markdown reports the same?

Usage: python bench/repeat_report.py [--runs 4] [--sources DIR] [--question Q]
       [--depth standard] [--same-hash-seed]

``research run QUESTION --sources DIR --no-web --format md`` as a user runs it, each time
with a fresh data folder (its own embedded server and worker) and the fake LLM, each run
with another ``PYTHONHASHSEED`` (1, 2, ...; ``--same-hash-seed``: 0 for all) so that no
set or dict order of strings passes unseen. Prints each run's citations line and wall
time, then how many different reports came out and the diff of the first two that
differ. Exit status 1 when they differ. Defaults: the README's report on
``tests/data/conflict_docs``.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, user_env

from durable_research.embedded.local_worker import stop_embedded
from durable_research.testing.fake_llm import FakeLLM

RESEARCH = Path(sys.executable).with_name("research")
QUESTION = ("What are Larkspur Queue's defaults for message size, durability, acknowledgement "
            "mode and listening port, and what delivery guarantees does it give?")


def env_for(tmp: Path, fake: FakeLLM, seed: str) -> dict[str, str]:
    """A user's environment (``_common.user_env``) with its own hash seed."""
    return {**user_env(tmp, fake), "PYTHONHASHSEED": seed}


def one_run(args: argparse.Namespace, fake: FakeLLM, seed: str) -> tuple[str, str]:
    """One ``research run``: (its citations line and wall time, its Markdown report)."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        t0 = time.perf_counter()
        try:
            out = subprocess.run(
                [str(RESEARCH), "run", args.question, "--sources", str(args.sources),
                 "--no-web", "--depth", args.depth, "--format", "md"],
                env=env_for(tmp, fake, seed), cwd=ROOT, capture_output=True, text=True,
                stdin=subprocess.DEVNULL, timeout=300, check=False)
        finally:
            stop_embedded(tmp / "data")
        wall = time.perf_counter() - t0
        cites = re.search(r"^ citations\s+(.+)$", out.stdout, re.M)
        reports = list((tmp / "out").rglob("*.md"))
        if out.returncode or cites is None or not reports:
            raise SystemExit(f"run failed (exit {out.returncode}): {out.stderr[-500:]}")
        return f"{cites.group(1)} ({wall:.1f} s)", reports[0].read_text(encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--sources", type=Path, default=ROOT / "tests/data/conflict_docs")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--depth", default="standard", choices=("standard", "deep"))
    parser.add_argument("--same-hash-seed", action="store_true")
    args = parser.parse_args()
    print(machine())
    reports: list[str] = []
    fake = FakeLLM().start()
    try:
        for i in range(args.runs):
            seed = "0" if args.same_hash_seed else str(i + 1)
            line, report = one_run(args, fake, seed)
            digest = hashlib.sha256(report.encode()).hexdigest()[:12]
            print(f"run {i + 1} (PYTHONHASHSEED={seed}): {line}, report {digest}", flush=True)
            reports.append(report)
    finally:
        fake.stop()
    distinct = list(dict.fromkeys(reports))
    print(f"{len(distinct)} different report(s) in {len(reports)} runs")
    if len(distinct) > 1:
        sys.stdout.writelines(difflib.unified_diff(
            distinct[0].splitlines(keepends=True), distinct[1].splitlines(keepends=True),
            "first", "second", n=0))
    return 0 if len(distinct) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
