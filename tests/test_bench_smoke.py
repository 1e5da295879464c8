"""Smoke test of the bench scripts: each runs with tiny parameters and prints its summary.

No timing is asserted here; the figures live in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

CASES = {
    "chaos": (
        ["bench/chaos.py", "--workflows", "3", "--worker-kills", "1", "--server-kills", "1",
         "--llm-delay", "2", "--gap-min", "0.5", "--gap-max", "1", "--server-downtime", "1",
         "--long-outage", "0", "--disk-full", "0", "--smtp-drop-window", "0", "--arrival", "0"],
        "chaos: PASS",
    ),
    "recovery": (
        ["bench/recovery.py", "--repeats", "1", "--llm-heartbeat", "2",
         "--llm-retry-initial", "0.5", "--kill-min", "0.2", "--kill-max", "0.5"],
        "recovery: p50",
    ),
    "throughput": (
        ["bench/throughput.py", "--workflows", "4", "--sequential", "2", "--llm-delay", "0.2"],
        "end-to-end one at a time",
    ),
    "recovery-supervised": (
        ["bench/recovery.py", "--supervised", "--repeats", "1", "--kill-min", "0.2",
         "--kill-max", "0.5"],
        "goal 4 (1 worker(s))",
    ),
    "cold-start": (["bench/cold_start.py", "--runs", "1"], "goal 3:"),
    "store": (
        ["bench/store_bench.py", "--reports", "3", "--sequential", "1", "--rounds", "1"],
        "s3 / directory: throughput",
    ),
}


def test_bench_scripts_run_and_print_their_summaries(tmp_path: Path) -> None:
    """The scripts run at once (about 40 s together) and exit 0 with a summary line."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "SMTP_HOST", "TEMPORAL_ADDRESS"):
        env.pop(var, None)
    procs = {
        name: subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        for name, (args, _) in CASES.items()
    }
    outputs: dict[str, str] = {}
    try:
        for name, proc in procs.items():
            outputs[name], _ = proc.communicate(timeout=150)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # the scripts clean up their servers
                try:
                    proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    for name, (_, summary) in CASES.items():
        assert procs[name].returncode == 0, f"{name} failed:\n{outputs[name]}"
        assert summary in outputs[name], f"{name} printed no summary:\n{outputs[name]}"


def test_research_bench_prints_its_figures(tmp_path: Path) -> None:
    """research_bench.py --quick (about 25 s): one deep report, 3 sub-questions, checker."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "SMTP_HOST", "TEMPORAL_ADDRESS",
                "SEARXNG_URL", "SEARCH_PROVIDER"):
        env.pop(var, None)
    proc = subprocess.Popen(
        [sys.executable, "bench/research_bench.py", "--quick"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        out, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the script stops its servers and workers
            proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    for figure in ("research: deep report with", "activities, history", "peak worker RSS",
                   "checker precision", "where the bytes go", "scaling with sub-questions"):
        assert figure in out, f"missing {figure!r}:\n{out}"


def test_research_bench_critical_path_prints_goal_6(tmp_path: Path) -> None:
    """research_bench.py --critical-path with tiny values (about 20 s): the goal-6 line."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "SMTP_HOST", "TEMPORAL_ADDRESS",
                "SEARXNG_URL", "SEARCH_PROVIDER"):
        env.pop(var, None)
    proc = subprocess.Popen(
        [sys.executable, "bench/research_bench.py", "--critical-path", "--llm-delay", "0.05",
         "--repeats", "1", "--pages", "24", "--subquestions", "3"],
        cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        out, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the script stops its servers and workers
            proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    for figure in ("critical path by the code's structure: 5 calls", "where the gaps go",
                   "goal 6 (warm worker): wall", "goal 6 (cold worker): wall"):
        assert figure in out, f"missing {figure!r}:\n{out}"
