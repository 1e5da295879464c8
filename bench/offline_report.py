"""A standard ``--sources`` report with the embedded offline model, timed step by step.

Runs ``research run QUESTION --sources DOCS --no-web`` as a user would, with no
``LLM_MODEL`` set, so the embedded model (SmolLM2-135M through llama.cpp) writes it: first
cold (no server, worker or model running: they start), then warm ``--runs`` times (all
up). For each report it prints the wall time, the time per step from the workflows'
histories (plan, notes, sections, summary, check, render ...), and the LLM calls and
tokens per step (the activities' results, decoded with the run's own payload key).

``--before PATH``: the same reports with another checkout's ``research`` executable (e.g.
main's), alternated with this one's, so both face the same load.

Usage::

    python bench/offline_report.py [--runs 2] [--docs tests/data/conflict_docs]
        [--before /work/main/.venv/bin/research] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import event_ts, machine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from durable_research.client.connection import connect
from durable_research.config import load_settings
from durable_research.testing.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How does Larkspur Queue deliver messages?"
DOCS = ROOT / "tests" / "data" / "conflict_docs"
HERE = Path(sys.executable).with_name("research")
# Issue 26, goal 4: a standard `--sources` report with the embedded model, on 2 cores.
GOAL_S = 45.0


@dataclass
class StepTime:
    """One kind of step of a report: how many, their summed run time, LLM use."""

    count: int = 0
    seconds: float = 0.0
    attempts: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Report:
    """One timed report."""

    label: str
    wall: float
    load: str
    steps: dict[str, StepTime] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def env_for(tmp: Path, port: int) -> dict[str, str]:
    """A user's environment with no provider: the embedded model stands in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LLM_", "TEMPORAL_", "SMTP_", "RESEARCH_"))}
    env.update(RESEARCH_DATA_DIR=str(tmp / "data"), RESEARCH_OUTPUT_DIR=str(tmp / "out"),
               RESEARCH_ENV_FILE="/nonexistent/.env", RESEARCH_CONFIG_FILE="/nonexistent/c.env",
               EMAIL_TO="", TEMPORAL_ADDRESS=f"127.0.0.1:{port}")
    return env


def run_report(exe: Path, env: dict[str, str], question: str, docs: Path) -> tuple[float, str]:
    """``research run`` as a user; the wall time and the workflow id."""
    t0 = time.perf_counter()
    out = subprocess.run([str(exe), "run", question, "--sources", str(docs), "--no-web",
                          "--overwrite"], env=env, cwd=ROOT, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    found = re.search(r"Started workflow (\S+)", out.stdout)
    if out.returncode != 0 or found is None:
        raise RuntimeError(f"research run failed ({out.returncode}):\n{out.stdout[-3000:]}\n"
                           f"{out.stderr[-3000:]}")
    return wall, found.group(1)


def step_name(activity: str, args: list[Any]) -> str:
    """The report step an activity is: a section and the summary are one activity."""
    if activity == "write_section" and args and isinstance(args[0], dict):
        return "summary" if args[0].get("role") == "summary" else "section"
    return {"llm_call": "plan", "take_notes": "notes", "check_citations": "check"}.get(
        activity, activity)


def usage_of(result: Any) -> dict[str, int]:
    usage = result.get("usage") if isinstance(result, dict) else None
    return {str(k): int(v or 0) for k, v in usage.items()
            if isinstance(v, int | float)} if isinstance(usage, dict) else {}


async def history_steps(client: Client, workflow_id: str, into: dict[str, StepTime]) -> None:
    """Add one workflow's activities to ``into`` and recurse into its children."""
    handle = client.get_workflow_handle(workflow_id)
    scheduled: dict[int, tuple[str, list[Any]]] = {}
    started: dict[int, float] = {}
    children: list[str] = []
    conv = client.data_converter
    async for ev in handle.fetch_history_events():
        t = ev.event_type
        if t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            a = ev.activity_task_scheduled_event_attributes
            args = await conv.decode(a.input.payloads) if a.input.payloads else []
            scheduled[ev.event_id] = (a.activity_type.name, args)
            started[ev.event_id] = event_ts(ev)
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            c = ev.activity_task_completed_event_attributes
            name, args = scheduled[c.scheduled_event_id]
            step = into.setdefault(step_name(name, args), StepTime())
            step.count += 1
            step.seconds += event_ts(ev) - started[c.scheduled_event_id]
            result = (await conv.decode(c.result.payloads))[0] if c.result.payloads else None
            usage = usage_of(result)
            if usage.get("total_tokens"):
                step.llm_calls += 1
            step.prompt_tokens += int(usage.get("prompt_tokens", 0))
            step.completion_tokens += int(usage.get("completion_tokens", 0))
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attempt = ev.activity_task_started_event_attributes.attempt
            sched = ev.activity_task_started_event_attributes.scheduled_event_id
            name, args = scheduled[sched]
            into.setdefault(step_name(name, args), StepTime()).attempts += max(attempt - 1, 0)
        elif t == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            children.append(ev.start_child_workflow_execution_initiated_event_attributes
                            .workflow_id)
    for child in children:
        await history_steps(client, child, into)


async def measure(env: dict[str, str], workflow_id: str) -> tuple[dict[str, StepTime],
                                                                   list[str]]:
    """Steps of the report and the notes it ends with."""
    conn = await connect(load_settings(env), allow_embedded=False)
    steps: dict[str, StepTime] = {}
    await history_steps(conn.client, workflow_id, steps)
    result = await conn.client.get_workflow_handle(workflow_id).result()
    notes = result.get("research_notes", []) if isinstance(result, dict) else []
    return steps, [str(n) for n in notes]


def show(rep: Report) -> None:
    print(f"\n{rep.label}: {rep.wall:.1f} s wall (load average at start {rep.load})")
    print(f"  {'step':<16}{'n':>3}{'s':>8}{'retries':>8}{'LLM calls':>10}{'prompt tok':>11}"
          f"{'answer tok':>11}")
    for name, s in sorted(rep.steps.items(), key=lambda kv: -kv[1].seconds):
        print(f"  {name:<16}{s.count:>3}{s.seconds:>8.1f}{s.attempts:>8}{s.llm_calls:>10}"
              f"{s.prompt_tokens:>11}{s.completion_tokens:>11}")
    calls = sum(s.llm_calls for s in rep.steps.values())
    tokens = sum(s.prompt_tokens + s.completion_tokens for s in rep.steps.values())
    print(f"  LLM calls {calls}, tokens {tokens}; step times overlap (sub-questions run "
          "side by side, the model serves one request at a time)")
    for note in rep.notes:
        print(f"  note: {note[:160]}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="warm reports per executable")
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--before", type=Path, help="another checkout's research executable")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    print(f"{machine()}\nquestion: {args.question}\ndocs: {args.docs}")
    exes = [("after", HERE)] + ([("before", args.before)] if args.before else [])
    tmps = {label: Path(tempfile.mkdtemp(prefix=f"offline-{label}-")) for label, _e in exes}
    envs = {label: env_for(tmps[label], free_port()) for label, _e in exes}
    reports: list[Report] = []
    try:
        for i in range(args.runs + 1):
            for label, exe in exes:
                kind = "cold" if i == 0 else f"warm {i}"
                at = load()
                wall, wid = await asyncio.to_thread(run_report, exe, envs[label],
                                                    args.question, args.docs)
                steps, notes = await measure(envs[label], wid)
                rep = Report(f"{label} ({kind})", wall, at, steps, notes if i == 1 else [])
                show(rep)
                reports.append(rep)
    finally:
        for label, exe in exes:
            subprocess.run([str(exe), "server", "--stop"], env=envs[label],
                           capture_output=True, check=False)
            if not args.keep:
                shutil.rmtree(tmps[label], ignore_errors=True)
    print("\nsummary (wall s):")
    for rep in reports:
        print(f"  {rep.label:<18} {rep.wall:6.1f}  load {rep.load}")
    after = [rep.wall for rep in reports if rep.label.startswith("after")]
    verdict = "met" if max(after) <= GOAL_S else "NOT met"
    print(f"issue 26 goal 4 (offline model, a standard --sources report on 2 cores <= "
          f"{GOAL_S:.0f} s): slowest of {len(after)} {max(after):.1f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
