"""Smoke test of the bench scripts: each runs with tiny parameters and prints its summary.

No timing is asserted here; the figures live in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.processes import end_groups, stop_servers_under

pytestmark = pytest.mark.slow

CASES: dict[str, tuple[list[str], str | tuple[str, ...]]] = {
    "chaos": (
        ["bench/chaos.py", "--workflows", "3", "--worker-kills", "1", "--server-kills", "1",
         "--llm-delay", "2", "--gap-min", "0.5", "--gap-max", "1", "--server-downtime", "1",
         "--long-outage", "0", "--disk-full", "0", "--smtp-drop-window", "0", "--arrival", "0"],
        "chaos: PASS",
    ),
    "throughput": (
        ["bench/throughput.py", "--workflows", "2", "--sequential", "1", "--llm-delay", "0.2",
         "--bare", "1", "--gaps"],
        ("end-to-end one at a time", "reach: the bare work", "what the app's durability adds",
         "where the work goes: each step's bare work alone", "sum of the medians"),
    ),
    "report-cost": (
        ["bench/report_cost.py", "--reports", "1", "--llm-delay", "0.2", "--burst", "2"],
        ("activities that sent a heartbeat", "payload bytes: ACTIVITY_TASK_COMPLETED"),
    ),
    # One case per script, for the suite's time budget: `recovery.py` without --supervised and
    # `research_bench.py --quick` are not run here (run them by hand after changing them).
    "recovery-supervised": (
        ["bench/recovery.py", "--supervised", "--repeats", "1", "--kill-min", "0.2",
         "--kill-max", "0.5"],
        "goal 4 (1 worker(s))",
    ),
    "cold-start": (["bench/cold_start.py", "--runs", "1"], "goal 3:"),
    "warm-run": (["bench/warm_run.py", "--runs", "1"], ("raw Temporal    :", "goal 2 (warm run):")),
    # The fake LLM only: the embedded model's part takes minutes.
    "structured": (["bench/structured_bench.py", "--no-local", "--questions", "2"],
                   "| fake LLM, wrong-shape JSON | yes | 0/2 |"),
    "judge": (["bench/judge_bench.py", "--no-local", "--claims", "--decoys", "--sets",
               "conflict_pairs.json", "--splits", "holdout", "--modes", "rules"],
              ("| fake LLM, 10 a call | 14 | 14 |",
               "| fake LLM | conflict_pairs.json holdout (53) | rules alone | ",
               "| fake LLM | decoy facts (26) | rules alone | caught ")),
    "store-traffic": (["bench/store_traffic.py", "--reports", "2", "--against", "."],
                      ("this / other:", "CPU per report median")),
    "store": (
        ["bench/store_bench.py", "--reports", "3", "--sequential", "1", "--rounds", "1"],
        "s3 / directory: throughput",
    ),
    "retrieval-eval": (
        ["bench/retrieval_eval.py", "tests/data/retrieval/docs",
         "tests/data/retrieval/questions.json", "--k", "2", "--prefer-path", "git-revert.md"],
        ("k=2   plain", "k=2   current", "k=2   preferred"),
    ),
    # One deep report (3 sub-questions) on a cold and then a warm worker: the goal-6 figures.
    "research-critical-path": (
        ["bench/research_bench.py", "--critical-path", "--llm-delay", "0.05", "--repeats", "1",
         "--pages", "24", "--subquestions", "3"],
        # The judge's batches vary with the claims the check cannot settle alone, and
        # whether the recorded chain matches the structure's length depends on timing
        # (a loaded box: a section's compare_notes can end after another section's call),
        # so the line is required, not its answer.
        ("critical path by the code's structure: ", "same length as the structure's: ",
         "where the gaps go", "deep report (warm worker): wall",
         "deep report (cold worker): wall"),
    ),
    "agent": (["bench/agent_bench.py", "--repeats", "1"], ("agent vs fixed pipeline",
                                                           "events/subq")),
    "research-eval": (
        ["bench/research_eval.py", "--limit", "1"],
        ("retrieval: recall of gold documents", "decoy facts stated", "key-fact recall",
         "checker on 164 labelled claims"),
    ),
    "research-eval-adversarial": (
        ["bench/research_eval.py", "--limit", "1", "--adversarial"],
        ("the fake LLM believes the 26 decoy sentences", "decoy facts that reached the reports",
         "decoy sentences sent to the note-taker"),
    ),
}


# One test per script: `make test`'s processes (pytest-xdist) share them out, where nine at
# once on a 2-core box made one test of 121 s (and, under load, a worker start of one of
# them outlasted its 300 s bound). The bound is for a hang; the script's own below is
# shorter, so a hung script is named and its process group ended.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", list(CASES))
def test_bench_script_runs_and_prints_its_summary(name: str, tmp_path: Path) -> None:
    """The script exits 0 with its summary lines."""
    args, summary = CASES[name]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "SMTP_HOST", "TEMPORAL_ADDRESS",
                "SEARXNG_URL", "SEARCH_PROVIDER"):
        env.pop(var, None)
    # The script leads a process group of its own: on any failure (or this test's timeout)
    # the clean-up below ends the script and everything it started.
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=600)  # generous: a loaded box
    finally:
        end_groups([proc])
        stop_servers_under(tmp_path)
    assert proc.returncode == 0, f"{name} failed:\n{output}"
    for figure in (summary,) if isinstance(summary, str) else summary:
        assert figure in output, f"{name} printed no {figure!r}:\n{output}"
