"""``agent_bench.py --eval``: the research agent against the fixed pipeline on the
evaluation set (``bench/eval``), the local corpus as ``--sources`` without the web.

The gold recall here is what a report *cites*: of each question's gold documents, how many
are among its references (the retrieval recall of ``research_eval.py`` measures the fixed
pipeline's searches instead, which the agent does not share). The fake LLM plays both
modes (its default researcher searches the documents, reads the two best hits, notes the
sentences nearest the sub-question and calls done), or ``--model M`` a real one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from _common import ROOT, DevServer, machine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from durable_research.client import research as cr
from durable_research.client import start_report
from durable_research.config import Settings, load_settings
from durable_research.contract.keys import text_key
from durable_research.contract.report import ReportInput
from durable_research.contract.research import AgentMode
from durable_research.store import get_text
from durable_research.store.factory import open_store
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.report_eval import score_report
from durable_research.testing.temporal import connect_retrying
from durable_research.worker.build import build_worker

EVAL = ROOT / "bench" / "eval"


@dataclass
class Totals:
    """One mode's figures summed over the questions (history: per sub-question)."""

    reports: int = 0
    failed: list[str] = field(default_factory=list)
    gold: int = 0
    gold_cited: int = 0
    key_facts: int = 0
    key_facts_found: int = 0
    decoy_citations: int = 0
    checked: int = 0
    supported: int = 0
    llm_calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    events: list[int] = field(default_factory=list)
    kib: list[float] = field(default_factory=list)
    # Per sub-question: activities (each a durable step), model turns and tool calls.
    steps: list[int] = field(default_factory=list)
    turns: list[int] = field(default_factory=list)
    tool_calls: list[int] = field(default_factory=list)


async def one(client: Client, settings: Settings, fake: FakeLLM, mode: AgentMode, steps: int,
              collection: str, q: dict[str, Any], decoys: list[dict[str, Any]],
              into: Totals) -> None:
    """One question as one report in ``mode``, added to ``into``."""
    fake.reset()
    began = time.perf_counter()
    handle = await start_report(client, settings, ReportInput(
        prompt=q["question"], depth="standard", agent=mode, collection=collection, web=False,
        formats=["md"], max_steps=steps if mode == AgentMode.ON else 0,
        output_dir=settings.output_dir), f"eval-{mode}-{uuid.uuid4().hex[:8]}")
    result = await handle.result()
    into.seconds += time.perf_counter() - began
    if result.status != "completed" or not result.paths:
        into.failed.append(f"{q['id']}: {result.status} {result.note}")
        return
    into.reports += 1
    store = open_store(settings)
    body = Path(result.paths[0]).read_text(encoding="utf-8").split("\n## References")[0]
    score = score_report(body, result.references, lambda h: get_text(store, text_key(h)),
                         q["key_facts"], decoys)
    cited = {r.url for r in result.references}
    into.gold += len(q["gold_docs"])
    into.gold_cited += sum(1 for g in q["gold_docs"] if g in cited)
    into.key_facts += score.key_facts
    into.key_facts_found += score.key_facts_found
    into.decoy_citations += score.decoy_citations
    if result.verification:
        into.checked += result.verification.checked
        into.supported += result.verification.supported
    into.llm_calls += fake.successes  # 0 with --model: the fake is not asked
    into.tokens += result.usage.total_tokens
    for i in range(len(result.subquestions)):
        history = await client.get_workflow_handle(f"{handle.id}/q{i + 1}").fetch_history()
        into.events.append(len(history.events))
        into.kib.append(sum(e.ByteSize() for e in history.events) / 1024)
        kinds = Counter(e.activity_task_scheduled_event_attributes.activity_type.name
                        for e in history.events
                        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        into.steps.append(sum(kinds.values()))
        into.turns.append(kinds["agent_turn"])
        into.tool_calls.append(kinds["agent_tool"])


def med(values: list[int]) -> str:
    """The median, or - for none."""
    return f"{statistics.median(values):.0f}" if values else "-"


def pct(part: int, whole: int) -> str:
    """``part/whole (NN%)``."""
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def print_totals(rows: dict[AgentMode, Totals]) -> None:
    """One column per mode."""
    table: list[tuple[str, Callable[[Totals], str]]] = [
        ("reports (failed)", lambda t: f"{t.reports} ({len(t.failed)})"),
        ("gold documents cited", lambda t: pct(t.gold_cited, t.gold)),
        ("key facts stated", lambda t: pct(t.key_facts_found, t.key_facts)),
        ("decoy citations", lambda t: str(t.decoy_citations)),
        ("cited sentences verified", lambda t: pct(t.supported, t.checked)),
        ("LLM calls / report", lambda t: f"{t.llm_calls / max(1, t.reports):.1f}"
         if t.llm_calls else "- (not the fake)"),
        ("steps / subq (median)", lambda t: med(t.steps)),
        ("  model turns", lambda t: med(t.turns)),
        ("  tool calls", lambda t: med(t.tool_calls)),
        ("tokens / report", lambda t: f"{t.tokens / max(1, t.reports):,.0f}"),
        ("wall s / report", lambda t: f"{t.seconds / max(1, t.reports):.2f}"),
        ("history events / subq (median)",
         lambda t: f"{statistics.median(t.events):.0f}" if t.events else "-"),
        ("history KiB / subq (median, max)",
         lambda t: f"{statistics.median(t.kib):.1f}, {max(t.kib):.1f}" if t.kib else "-"),
    ]
    width = max(len(name) for name, _f in table)
    print(f"\n{'':{width}}  {'pipeline':>18}  {'agent':>18}")
    for name, show in table:
        print(f"{name:{width}}  {show(rows[AgentMode.OFF]):>18}  {show(rows[AgentMode.ON]):>18}")
    for mode, totals in rows.items():
        for failure in totals.failed:
            print(f"  {mode} failed: {failure}")


async def bench_eval(args: argparse.Namespace) -> int:
    """Both modes over the evaluation questions, alternating per question."""
    questions = json.loads((EVAL / "questions.json").read_text(encoding="utf-8"))["questions"]
    questions = questions[: args.limit] if args.limit else questions
    decoys = json.loads((EVAL / "decoys.json").read_text(encoding="utf-8"))["decoys"]
    print(f"agent vs fixed pipeline on the evaluation set: {len(questions)} questions, "
          f"--max-steps {args.max_steps}, model {args.model or 'the fake LLM'}; {machine()}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="agent-eval-") as tmp:
        dev = DevServer(Path(tmp) / "temporal")
        dev.start()
        fake = FakeLLM(delay=args.llm_delay).start()
        settings = Settings(
            llm_model="openai/fake-model", llm_api_key="bench", llm_api_base=fake.api_base,
            llm_tool_calling="on", data_dir=tmp, output_dir=str(Path(tmp) / "reports"),
            temporal_address=dev.address, embedded="never", encryption=False,
            task_queue=f"eval-{uuid.uuid4().hex[:8]}")
        if args.model:  # a real model, configured by the LLM_* settings of the environment
            env = load_settings()
            settings = replace(settings, llm_model=args.model, llm_api_key=env.llm_api_key,
                               llm_api_base=env.llm_api_base,
                               llm_tool_calling=env.llm_tool_calling, llm_timeout_s=600)
        rows = {AgentMode.OFF: Totals(), AgentMode.ON: Totals()}
        try:
            collection = cr.ingest_sources(settings, [str(EVAL / "corpus")]).collection
            client = await connect_retrying(dev.address, settings=settings)
            async with build_worker(client, settings):
                for q in questions:
                    for mode, totals in rows.items():
                        await one(client, settings, fake, mode, args.max_steps, collection,
                                  q, decoys, totals)
                    print(f"  {q['id']}: done", flush=True)
        finally:
            fake.stop()
            dev.stop()
    print_totals(rows)
    return 0
