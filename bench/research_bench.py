"""Deep research reports: wall time, activities, history size, worker memory, scaling, checker.

Usage: python bench/research_bench.py [--pages 96] [--llm-delay 0.2] [--subquestions 3,4,8]
                                      [--concurrency 1,4] [--wrong-every 3] [--repeats 3]
                                      [--quick] [--keep]
       python bench/research_bench.py --critical-path [--llm-delay 1] [--repeats 3]

Everything is real except the LLM and the web: a private Temporal dev server (SQLite),
a worker subprocess per run (``durable_research.worker.build.build_worker``; its peak RSS is
read from /proc), the fake OpenAI-compatible LLM (with a per-call delay), the fake
SearXNG server and a generated site of ``--pages`` articles (``bench/_research_site.py``).

Runs (each with a fresh worker process on its own task queue; ``--repeats`` rounds,
round robin, medians reported):

* ``deep``: a deep report as the product runs it (the fake LLM plans 4 sub-questions;
  deep preset: 6 pages x 2 rounds per sub-question, 4 sub-questions at a time);
* ``subq=N``: the same with N sub-questions, set through the plan-review Update (edit);
  the time the workflow waited for that Update is subtracted from its wall time. The
  product accepts 3-8 sub-questions (``MIN_SUBQUESTIONS`` = 3), so 2 cannot be asked;
* ``subq=8 conc=C*``: 8 sub-questions, C at a time instead of the preset's 4. There is
  no setting for it: the bench worker patches the preset and passes ``durable_research``
  through the workflow sandbox (as ``_worker.py`` does for timeouts), which also spares
  the per-run re-import of workflow modules, so compare these rows with each other;
* ``checker``: the deep report with every k-th written sentence citing a wrong source
  (``wrong_every``); precision/recall of the ``[unverified]`` marks against ground truth
  (a sentence is wrongly cited when its cited source's stored text does not contain it).

``--critical-path`` (issue 14, goal 6) instead runs a deep report whose plan (answered by
the fake LLM, no review) has ``max(--subquestions)`` sub-questions, with a 1 s LLM by
default, and compares its wall time (start -> result) with the critical path of its LLM
calls (see :func:`critical_path`); the gaps on the run's real chain of LLM calls are
broken down by what the workflows were doing (activities from the histories).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    DevServer,
    Step,
    WorkerProc,
    connect,
    event_ts,
    machine,
    run_main,
    start_fake_llm,
    steps,
    worker_env,
)
from _research_site import QUESTION, SUBQUESTIONS, ResearchSite
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History, HistoryEvent
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from durable_research.activities.checking import JUDGE_CONCURRENCY
from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.contract.keys import text_key
from durable_research.contract.report import ReportInput, ReportResult, ReportStep
from durable_research.contract.research import DEPTH_PRESETS, AgentMode, Depth
from durable_research.contract.review import PlanReviewInput
from durable_research.embedded import devserver
from durable_research.research import prompts
from durable_research.research.citations import cited_sentences
from durable_research.store.factory import open_store
from durable_research.testing.fake_llm import DEFAULT_REPLY, FakeLLM
from durable_research.testing.search_server import SearchServer
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.research import SECTION_CONCURRENCY

KIB = 1024.0
ET = EventType


# ----- the worker process ------------------------------------------------------------


async def worker_main(ready: Path, subq_concurrency: int) -> None:
    """The app's worker; optionally with another number of sub-questions at a time."""
    from durable_research.config import load_settings
    from durable_research.testing.temporal import connect_retrying
    from durable_research.worker import build as app_worker

    if subq_concurrency:
        import functools

        from temporalio.worker.workflow_sandbox import (
            SandboxedWorkflowRunner,
            SandboxRestrictions,
        )

        DEPTH_PRESETS[Depth.DEEP] = replace(DEPTH_PRESETS[Depth.DEEP],
                                            concurrency=subq_concurrency)
        # The sandbox re-imports workflow modules (and contract/ through them); passing
        # the package through makes the workflow see the patched preset (as _worker.py).
        runner = SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules("durable_research"))
        # Patches the class build_worker instantiates (a name worker.build imports, not its
        # export); a partial of the class stands in for it.
        app_worker.Worker = functools.partial(  # type: ignore[attr-defined,assignment]  # see above
            Worker, workflow_runner=runner)
    settings = load_settings()
    client = await connect_retrying(settings.temporal_address, attempts=600)
    async with app_worker.build_worker(client, settings):
        ready.write_text("ready")
        await asyncio.Event().wait()


class ResearchWorker(WorkerProc):
    """A worker subprocess running :func:`worker_main` (this file with ``--worker``)."""

    def __init__(self, env: dict[str, str], log: Path, subq_concurrency: int = 0) -> None:
        """Start the worker; call :meth:`wait_ready` before relying on it."""
        self._ready = log.with_name(f"ready-{time.monotonic_ns()}")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(self._ready),
               "--subq-concurrency", str(subq_concurrency)]
        self.started = time.time()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)

    def cpu(self) -> float:
        """CPU seconds the process has used so far."""
        return cpu_seconds(self.proc.pid)

    def memory(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the process in MiB, from /proc/<pid>/status."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        kib = {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM")}
        return kib["VmRSS"] / 1024, kib["VmHWM"] / 1024


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` (0 if unknown), from /proc/<pid>/stat."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ----- histories ---------------------------------------------------------------------


@dataclass
class Hist:
    """One workflow history: events, sizes and what its events hold."""

    events: int = 0
    server_bytes: int = 0  # history_size_bytes as the server accounts it (limits apply)
    proto_bytes: int = 0  # the History protobuf, serialised
    json_bytes: int = 0  # len(history.to_json())
    activities: Counter[str] = field(default_factory=Counter)  # completed, by type
    bytes_by_type: Counter[str] = field(default_factory=Counter)
    count_by_type: Counter[str] = field(default_factory=Counter)
    children: list[str] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0
    review_wait: float = 0.0
    closed: dict[str, float] = field(default_factory=dict)  # last completion, by activity


async def history(client: Client, workflow_id: str) -> Hist:
    """Fetch and measure one workflow's history."""
    handle = client.get_workflow_handle(workflow_id)
    wh = await handle.fetch_history()
    events = list(wh.events)
    desc = await handle.describe()
    info = desc.raw_description.workflow_execution_info
    h = Hist(events=len(events), server_bytes=int(info.history_size_bytes),
             proto_bytes=History(events=events).ByteSize(), json_bytes=len(wh.to_json()),
             start=event_ts(events[0]), end=event_ts(events[-1]))
    scheduled: dict[int, str] = {}
    for i, ev in enumerate(events):
        name = ET.Name(ev.event_type).removeprefix("EVENT_TYPE_").lower()
        if ev.event_type == ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[ev.event_id] = ev.activity_task_scheduled_event_attributes.activity_type.name
            name += f" ({scheduled[ev.event_id]} input)"
        elif ev.event_type == ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            activity = scheduled[ev.activity_task_completed_event_attributes.scheduled_event_id]
            h.activities[activity] += 1
            h.closed[activity] = event_ts(ev)
            name += f" ({activity} result)"
        h.bytes_by_type[name] += ev.ByteSize()
        h.count_by_type[name] += 1
        if ev.event_type == ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            h.children.append(ev.start_child_workflow_execution_initiated_event_attributes
                              .workflow_id)
        elif ev.event_type == ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            h.review_wait += _update_wait(events, i)
    return h


def _update_wait(events: list[HistoryEvent], accepted: int) -> float:
    """Seconds the workflow sat idle before the workflow task that accepted an Update."""
    kinds = [e.event_type for e in events]
    sched = max(i for i in range(accepted) if kinds[i] == ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    done = [i for i in range(sched) if kinds[i] == ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
    return event_ts(events[sched]) - event_ts(events[done[-1]]) if done else 0.0


def max_overlap(children: list[Hist]) -> int:
    """Most child workflows running at the same moment."""
    marks = sorted([(c.start, 1) for c in children] + [(c.end, -1) for c in children],
                   key=lambda m: (m[0], m[1]))
    now = best = 0
    for _t, d in marks:
        now += d
        best = max(best, now)
    return best


# ----- one run -----------------------------------------------------------------------


@dataclass
class Spec:
    """What one run asks for."""

    name: str
    subquestions: list[str] | None = None  # None: the plan the fake LLM proposes
    concurrency: int = 0  # sub-questions at a time; 0: the preset's
    wrong_every: int = 0
    planned: list[str] | None = None  # the fake LLM's plan instead of its own 4 (no review)
    agent: bool = False  # the research agent (the fake LLM's default researcher) per child


@dataclass
class Run:
    """What one run measured."""

    spec: Spec
    wall: float = 0.0
    review_wait: float = 0.0
    llm_calls: int = 0
    parent: Hist = field(default_factory=Hist)
    children: list[Hist] = field(default_factory=list)
    page_gets: int = 0
    distinct_pages: int = 0
    refs: int = 0
    checked: int = 0
    supported: int = 0
    unsupported: int = 0
    judged: int = 0
    cpu_worker: float = 0.0  # CPU seconds during the report
    cpu_server: float = 0.0
    cpu_bench: float = 0.0  # this process: fake LLM, site, search server, client
    rss_ready: float = 0.0
    rss_peak: float = 0.0
    overlap: int = 0
    walls: list[float] = field(default_factory=list)
    precision: float = float("nan")
    recall: float = float("nan")
    wrong: int = 0
    flagged: int = 0
    workflow_id: str = ""
    t_start: float = 0.0  # epoch seconds: start_workflow called
    t_end: float = 0.0  # epoch seconds: result received
    answers: list[tuple[str, str, float, float]] = field(default_factory=list)  # the LLM's

    @property
    def subqs(self) -> int:
        """Sub-questions researched."""
        return len(self.children)

    @property
    def work(self) -> float:
        """Wall time without the wait for the plan-review Update."""
        return self.wall - self.review_wait

    @property
    def activities(self) -> Counter[str]:
        """Completed activities by type, parent and children."""
        total = Counter(self.parent.activities)
        for c in self.children:
            total.update(c.activities)
        return total

    def phases(self) -> dict[str, float]:
        """Seconds in each part of the report, from the histories' timestamps."""
        p, kids = self.parent, self.children
        first, last = min(c.start for c in kids), max(c.end for c in kids)
        sections = p.closed.get("write_section", last)
        check = p.closed.get("check_citations", sections)
        return {"plan": first - p.start - self.review_wait, "sub-questions": last - first,
                "sections": sections - last, "check": check - sections,
                "pdf+mail": p.end - check}

    def total(self, attr: str) -> int:
        """Sum of a Hist attribute over parent and children."""
        return int(getattr(self.parent, attr) + sum(getattr(c, attr) for c in self.children))


class Bench:
    """The servers shared by all runs and how to run one report."""

    def __init__(self, args: argparse.Namespace, tmp: Path, server: DevServer, fake: FakeLLM,
                 search: SearchServer, site: ResearchSite) -> None:
        """Remember the shared servers."""
        self.args, self.tmp = args, tmp
        self.address, self.server_dir = server.address, server.data_dir
        self.fake, self.search, self.site = fake, search, site
        self.client: Client | None = None

    def env(self, tq: str) -> dict[str, str]:
        """A worker's environment: fake LLM, fake SearXNG, loopback fetching allowed."""
        env = worker_env(self.address, tq, self.fake, self.tmp)
        env.update(SEARCH_PROVIDER="searxng", SEARXNG_URL=self.search.base_url,
                   FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY="0", FETCH_TIMEOUT="10")
        if self.args.agent:  # the fake LLM calls tools
            env["LLM_TOOL_CALLING"] = "on"
        return env

    async def run(self, spec: Spec) -> Run:
        """One report on a fresh worker; returns its measurements."""
        return (await self.series(spec, 1))[0]

    async def series(self, spec: Spec, count: int) -> list[Run]:
        """``count`` reports one after another on one fresh worker: the first one meets a
        cold worker (imports, first litellm call, first PDF), the later ones a warm one."""
        tq = f"rb-{uuid.uuid4().hex[:8]}"
        worker = ResearchWorker(self.env(tq), self.tmp / "worker.log", spec.concurrency)
        done: list[tuple[Run, ReportResult, WorkflowHandle[Any, ReportResult]]] = []
        try:
            try:
                await asyncio.to_thread(worker.wait_ready)
            except (RuntimeError, TimeoutError):
                log = (self.tmp / "worker.log").read_text(errors="replace").splitlines()
                print("  worker did not start; end of its log:\n    " + "\n    ".join(log[-15:]),
                      file=sys.stderr)
                raise
            if self.client is None:
                self.client = await connect(self.address)
            self.fake.configure(wrong_every=spec.wrong_every)
            if spec.planned is not None:
                # The plan task gets the plain reply, which is this plan.
                self.fake.configure(reply=json.dumps({"subquestions": spec.planned}),
                                    plain_tasks={prompts.TASK_PLAN})
            for k in range(count):
                run = Run(spec)
                run.rss_ready, _ = worker.memory()
                self.site.reset()
                calls0 = self.fake.successes
                answers0 = len(llm_answers(self.fake))
                server_pid = devserver.running_pid(self.server_dir)
                cpu0 = (worker.cpu(), cpu_seconds(server_pid), time.process_time())
                result, handle = await self._report(self.client, spec, f"{tq}-{k}" if k else tq,
                                                    run, tq)
                run.cpu_worker = worker.cpu() - cpu0[0]
                run.cpu_server = cpu_seconds(server_pid) - cpu0[1]
                run.cpu_bench = time.process_time() - cpu0[2]
                _, run.rss_peak = worker.memory()
                run.llm_calls = self.fake.successes - calls0
                run.answers = llm_answers(self.fake)[answers0:]
                run.page_gets, run.distinct_pages = self.site.article_hits()
                done.append((run, result, handle))
        finally:
            worker.kill()
            self.fake.configure(wrong_every=0, reply=DEFAULT_REPLY, plain_tasks=set())
        for run, result, handle in done:
            assert result.status == "completed", result
            run.parent = await history(self.client, handle.id)
            run.children = [await history(self.client, c) for c in run.parent.children]
            run.review_wait = run.parent.review_wait
            run.overlap = max_overlap(run.children)
            v = result.verification
            run.refs = len(result.references)
            if v is not None:
                run.checked, run.supported, run.judged = v.checked, v.supported, v.judged
                run.unsupported = len(v.unsupported)
            if spec.wrong_every:
                self._score_checker(run, result)
        return [run for run, _r, _h in done]

    async def _report(self, client: Client, spec: Spec, name: str, run: Run,
                      tq: str) -> tuple[ReportResult, WorkflowHandle[Any, ReportResult]]:
        params = ReportInput(prompt=QUESTION, depth=Depth.DEEP, formats=["pdf", "md"],
                             output_dir=str(self.tmp / "reports"),
                             review_plan=spec.subquestions is not None,
                             agent=AgentMode.ON if spec.agent else AgentMode.OFF)
        t0 = time.perf_counter()
        run.t_start = time.time()
        handle = await client.start_workflow(
            GenerateReportWorkflow.run, params, id=f"report-bench-{name}", task_queue=tq)
        if spec.subquestions is not None:
            await self._edit_plan(client, handle, spec.subquestions)
        result = await asyncio.wait_for(handle.result(), timeout=self.args.timeout)
        run.wall = time.perf_counter() - t0
        run.t_end = time.time()
        run.workflow_id = handle.id
        return result, handle

    @staticmethod
    async def _edit_plan(client: Client, handle: WorkflowHandle[Any, Any], subqs: list[str]
                         ) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = await handle.query(GenerateReportWorkflow.status)
                if status.step == ReportStep.PLAN_REVIEW:
                    break
            except Exception:  # noqa: BLE001 - the first workflow task may not have run yet
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the report never waited for plan review")
            await asyncio.sleep(0.02)
        await cr.review_plan(client, handle.id, PlanReviewInput(action="edit",
                                                                subquestions=subqs))

    def _score_checker(self, run: Run, result: ReportResult) -> None:
        """Precision/recall of the [unverified] marks (the method of
        tests/e2e/reports/test_research.py)."""
        store = open_store(Settings(data_dir=str(self.tmp / "worker-data")))
        md = Path(next(p for p in result.paths if p.endswith(".md"))).read_text()
        refs = {r.n: r.content_hash for r in result.references}
        both = 0
        for sent in cited_sentences(md.split("## References")[0]):
            n = sent.cites[0]
            source = " ".join(store.get(text_key(refs[n])).decode().split()) if n in refs else ""
            is_wrong = sent.sentence.rstrip(".") not in source
            is_flagged = "[unverified]" in sent.raw
            run.wrong += is_wrong
            run.flagged += is_flagged
            both += is_wrong and is_flagged
        run.precision = both / run.flagged if run.flagged else float("nan")
        run.recall = both / run.wrong if run.wrong else float("nan")


# ----- printing ----------------------------------------------------------------------


# Activities a gap is attributed to first when they run (the sources' round trip).
FETCHING = ("fetch_pages", "fetch_page", "search")


def kib(n: float) -> str:
    """Bytes as KiB with one decimal."""
    return f"{n / KIB:.1f}"


def print_runs(runs: list[Run]) -> None:
    """The per-run table, then history sizes and phases."""
    base = next((r for r in runs if r.spec.name.startswith("subq=")), runs[0])
    print(f"\n  {'run':<15} {'subq':>4} {'conc':>4} {'wall s':>6} {'min-max':>11} "
          f"{'x base':>6} {'LLM':>4} {'activ.':>6} {'fetch':>5} {'pages':>5} {'refs':>4} "
          f"{'checked':>7} {'unverif.':>8} {'RSS ready':>9} {'RSS peak':>8}")
    for r in runs:
        a = r.activities
        spread = f"{min(r.walls):.2f}-{max(r.walls):.2f}"
        print(f"  {r.spec.name:<15} {r.subqs:>4} {r.overlap:>4} {r.work:>6.2f} {spread:>11} "
              f"{r.work / base.work:>6.2f} {r.llm_calls:>4} {sum(a.values()):>6} "
              f"{a['fetch_page'] + a['fetch_pages']:>5} {r.distinct_pages:>5} {r.refs:>4} "
              f"{r.checked:>7} "
              f"{r.unsupported:>8} {r.rss_ready:>7.0f} M {r.rss_peak:>6.0f} M")
    print(f"  (wall: median over {len(base.walls)} run(s), start -> result, minus the wait for "
          f"the plan-review Update; x base: relative to {base.spec.name};")
    print("   conc: most sub-questions seen running at once; fetch: fetch_page(s) activities; "
          "pages: distinct pages the site served;")
    print("   RSS: worker process in MiB, at ready and peak (VmHWM), highest over the runs; "
          "*: bench worker with the preset's concurrency")
    print("   patched and durable_research passed through the workflow sandbox: compare "
          "these rows with each other)")
    print(f"\n  history        {'parent ev':>9} {'parent KiB':>10} {'children ev':>11} "
          f"{'children KiB':>12} {'largest child':>13} {'total KiB':>9} {'JSON KiB':>8} "
          f"{'B/page':>6} {'B/activity':>10}")
    for r in runs:
        big = max(r.children, key=lambda c: c.server_bytes)
        total = r.total("server_bytes")
        print(f"  {r.spec.name:<14} {r.parent.events:>9} {kib(r.parent.server_bytes):>10} "
              f"{sum(c.events for c in r.children):>11} "
              f"{kib(sum(c.server_bytes for c in r.children)):>12} "
              f"{big.events:>5} ev {kib(big.server_bytes):>4} K {kib(total):>9} "
              f"{kib(r.total('json_bytes')):>8} {total / max(r.distinct_pages, 1):>6.0f} "
              f"{total / max(sum(r.activities.values()), 1):>10.0f}")
    print("  (KiB: history_size_bytes as the server counts it; JSON: len(history.to_json()); "
          "B/page: total bytes per distinct page fetched)")
    print(f"\n  phases, s       {'plan':>6} {'sub-q':>6} {'sections':>8} {'check':>6} "
          f"{'pdf+mail':>8} | CPU s {'worker':>6} {'server':>6} {'bench':>6} {'sum':>5} "
          f"{'/ wall':>6}")
    for r in runs:
        ph = r.phases()
        cpu = r.cpu_worker + r.cpu_server + r.cpu_bench
        print(f"  {r.spec.name:<15} {ph['plan']:>6.2f} {ph['sub-questions']:>6.2f} "
              f"{ph['sections']:>8.2f} {ph['check']:>6.2f} {ph['pdf+mail']:>8.2f} | "
              f"      {r.cpu_worker:>6.2f} {r.cpu_server:>6.2f} {r.cpu_bench:>6.2f} "
              f"{cpu:>5.1f} {cpu / r.wall:>6.2f}")
    print("  (median run; phases from history timestamps, plan without the review wait; CPU "
          "during the report: worker process, Temporal dev server, bench process with the "
          "fake LLM, site and search server; / wall: cores kept busy)")


def print_where(run: Run) -> None:
    """Which event types hold the bytes of one run's histories."""
    for label, hists in (("parent", [run.parent]), ("children", run.children)):
        by_bytes: Counter[str] = Counter()
        by_count: Counter[str] = Counter()
        for h in hists:
            by_bytes.update(h.bytes_by_type)
            by_count.update(h.count_by_type)
        total = sum(by_bytes.values())
        top = ", ".join(f"{name} {by_count[name]} ev {b / KIB:.1f} KiB "
                        f"({b / total:.0%})" for name, b in by_bytes.most_common(5))
        print(f"  where the bytes go ({run.spec.name}, {label}, {total / KIB:.1f} KiB of "
              f"serialised events): {top}")
        events = sum(by_count.values())
        most = ", ".join(f"{name} {n} ({n / events:.0%})" for name, n in by_count.most_common(4))
        print(f"    most events ({events}): {most}")


def print_activities(run: Run) -> None:
    """Completed activities by type for one run."""
    a = run.activities
    parts = ", ".join(f"{n} {k}" for k, n in sorted(a.items(), key=lambda kv: -kv[1]))
    print(f"  activities ({run.spec.name}): {sum(a.values())} = {parts}")


# ----- goal 6: the critical path of LLM calls (issue 14; issue 26, goal 3) --------------

# Wall time over the critical path a deep report should stay within (issue 26, goal 3;
# issue 14 asked for 1.3).
TARGET = 1.1


def llm_answers(fake: FakeLLM) -> list[tuple[str, str, float, float]]:
    """The fake LLM's answer log: (user prompt, route, start, end), epoch seconds."""
    # The log has no public accessor; read it under its lock.
    state = fake._server.state  # noqa: SLF001 - see above
    with state.lock:
        return list(state.answers)


@dataclass
class Call:
    """One LLM call of a report, as the fake LLM recorded it."""

    kind: str  # plan, notes, section, summary, judge (from the user prompt's shape)
    subq: int  # index of the sub-question (notes, section); -1 otherwise
    start: float
    end: float
    round: int = 0  # notes: the sub-question's round; judge: the batch

    @property
    def dur(self) -> float:
        """Seconds the call took at the fake LLM."""
        return self.end - self.start

    def label(self) -> str:
        """A short name: ``notes q3 r2``, ``section q5``, ``summary``."""
        if self.kind == "notes":
            return f"notes q{self.subq + 1} r{self.round + 1}"
        if self.kind == "section":
            return f"section q{self.subq + 1}"
        return self.kind if self.kind != "judge" else f"judge {self.round + 1}"


def classify(answers: list[tuple[str, str, float, float]], subqs: list[str]) -> list[Call]:
    """The run's LLM calls by kind, from the user prompts (``research/prompts.py``)."""
    calls: list[Call] = []
    for prompt, _route, start, end in sorted(answers, key=lambda a: a[2]):
        # The task's lines end the prompt (``prompts``: sources first, then the task).
        last = prompt.rsplit("\n", 1)[-1]
        kind, subq = "other", -1
        if prompt.startswith("Question:\n"):
            kind = "plan"
        elif prompt.startswith("Source excerpt E1: "):
            kind = "judge"
        elif last.startswith(prompts.SUBQUESTION_LABEL):
            kind, subq = "notes", subqs.index(last.removeprefix(prompts.SUBQUESTION_LABEL))
        elif last.startswith(prompts.SECTION_LABEL):
            kind, subq = "section", subqs.index(last.removeprefix(prompts.SECTION_LABEL))
        elif last.startswith(prompts.QUESTION_LABEL) and prompt.startswith("## "):
            kind = "summary"
        elif prompt.startswith(AGENT_OPENS) and (
                sub := re.search(f"^{prompts.SUBQUESTION_LABEL}(.*)$", prompt, re.M)):
            # An agent's model turn: the turns of a sub-question are its chain, as the
            # fixed pipeline's notes calls are.
            kind, subq = "notes", subqs.index(sub.group(1))
        n = sum(1 for c in calls if c.kind == kind and c.subq == subq)
        calls.append(Call(kind, subq, start, end, n))
    return calls


# How the research agent's transcript opens (``research/agent/transcript.py``).
AGENT_OPENS = "Question of the report:\n"
Chain = tuple[float, list[Call]]  # (finish time, the calls that led to it)


def critical_path(calls: list[Call], conc: int, section_conc: int) -> Chain:
    """The longest chain of LLM calls that must happen one after another, as the code orders
    them, with every non-LLM step taking no time: the wall time of a perfectly LLM-bound run.

    ``workflows/research.py`` and ``subquestion.py`` order the calls so:

    * plan: one call (again only after an invalid answer: ``PLAN_ATTEMPTS``);
    * sub-questions: one child workflow each, ``conc`` at a time (the preset's
      ``concurrency``, an ``asyncio.Semaphore``: FIFO, in plan order); inside a child the
      rounds are sequential (search -> fetch -> notes call -> follow-up search -> ...), so a
      child is a chain of ``rounds`` notes calls; a queued child starts when a running one
      ends;
    * sections: one call per sub-question with notes, as soon as its child and every
      earlier one have ended (``EARLY_SECTIONS_PATCH``), ``SECTION_CONCURRENCY`` at a time
      (semaphore, in the order they become ready);
    * summary: one call after every section;
    * citation check: after the summary, one judge call per batch of borderline sentences,
      ``JUDGE_CONCURRENCY`` batches at a time (``activities/checking.py``).

    With 8 sub-questions, 2 rounds, 4 children and 3 sections at a time and the same time
    per call, that is 1 + 2 x 2 + ceil(4 / 3) + 1 + ceil(judge batches / 4) = 8 (+ judge)
    calls: the first wave's sections are written while the second wave researches. The
    list schedule below takes each call's measured time instead of assuming one, and
    returns the chain that ends last.
    """

    def seq(at: Chain, chain: list[Call]) -> Chain:
        return at[0] + sum(c.dur for c in chain), at[1] + chain

    def pool(ready: list[Chain], jobs: list[list[Call]], slots: int) -> list[Chain]:
        """Each job's end; job k may start at ``ready[k]`` and takes the first free slot
        (the jobs in the semaphore's order)."""
        free: list[Chain] = [(0.0, [])] * slots
        ends = []
        for start, job in zip(ready, jobs, strict=True):
            i = min(range(slots), key=lambda k: free[k][0])
            free[i] = seq(max(start, free[i], key=lambda e: e[0]), job)
            ends.append(free[i])
        return ends

    def last(ends: list[Chain], at: Chain) -> Chain:
        return max(ends, key=lambda e: e[0]) if ends else at

    def of(kind: str) -> list[Call]:
        return sorted((c for c in calls if c.kind == kind), key=lambda c: (c.subq, c.start))

    notes, sections = of("notes"), of("section")
    children = sorted({c.subq for c in notes})
    at: Chain = seq((0.0, []), of("plan"))
    child_end = dict(zip(children, pool([at] * len(children), [
        [c for c in notes if c.subq == q] for q in children], conc), strict=True))
    ready = [last([e for q, e in child_end.items() if q <= s.subq], at) for s in sections]
    order = sorted(range(len(sections)), key=lambda k: ready[k][0])
    at = last(pool([ready[k] for k in order], [[sections[k]] for k in order], section_conc),
              at)
    at = seq(at, of("summary"))
    judges = sorted(of("judge"), key=lambda c: c.start)
    return last(pool([at] * len(judges), [[c] for c in judges], JUDGE_CONCURRENCY), at)


def recorded_chain(calls: list[Call], conc: int) -> list[Call]:
    """The run's real chain: from the call that ended last, back through the predecessor
    (by the rules of :func:`critical_path`) that ended last before each call started."""
    firsts = sorted({c.subq for c in calls if c.kind == "notes"})
    last_notes = [max((c for c in calls if c.kind == "notes" and c.subq == q),
                      key=lambda c: c.end) for q in firsts]
    sections = [c for c in calls if c.kind == "section"]

    def preds(c: Call) -> list[Call]:
        if c.kind == "plan" or (c.kind == "judge" and c.round < JUDGE_CONCURRENCY):
            kind = "plan" if c.kind == "plan" else "summary"
            return [p for p in calls if p.kind == kind and p.end <= c.start]
        if c.kind == "judge":  # a batch waits for a free slot: an earlier batch's end
            return [p for p in calls if p.kind == "judge" and p.round < c.round]
        if c.kind == "notes" and c.round:
            return [p for p in calls if p.kind == "notes" and p.subq == c.subq and
                    p.round == c.round - 1]
        if c.kind == "notes":
            if firsts.index(c.subq) < conc:
                return [p for p in calls if p.kind == "plan"]
            return [p for p in last_notes if p.subq < c.subq and p.end <= c.start]
        if c.kind == "section":  # its child and the earlier ones, or a freed slot
            return [p for p in last_notes if p.subq <= c.subq] + \
                [p for p in sections if p is not c and p.end <= c.start]
        return sections if c.kind == "summary" else []

    chain = [max(calls, key=lambda c: c.end)]
    while True:
        before = [p for p in preds(chain[0]) if p.end <= chain[0].start + 1e-3]
        if not before:
            return chain
        chain.insert(0, max(before, key=lambda p: p.end))


def busy(calls: list[Call]) -> float:
    """Seconds during which at least one LLM call was open."""
    total, until = 0.0, float("-inf")
    for c in sorted(calls, key=lambda c: c.start):
        if c.end > until:
            total += c.end - max(c.start, until)
            until = c.end
    return total


LLM_BACKED = {"llm_call", "take_notes", "write_section", "check_citations"}
SIGNAL = "progress signal to the parent, awaited"
WFT_RUN, WFT_WAIT = "workflow task running", "workflow task queued"
CHILD_START = "child workflow starting"
# What the workflows do besides activities, in the order a gap's instant is attributed.
NON_ACTIVITY = (SIGNAL, WFT_RUN, WFT_WAIT, CHILD_START)


async def event_spans(client: Client, workflow_id: str) -> list[Step]:
    """A workflow's non-activity spans from its history: workflow tasks (queued: scheduled ->
    started; running: started -> completed), awaited signals to the parent (a child's
    ``_report`` in ``subquestion.py``: sent -> delivered) and child starts (initiated ->
    started), as steps named after :data:`NON_ACTIVITY`."""
    opened: dict[int, float] = {}
    out = []
    async for ev in client.get_workflow_handle(workflow_id).fetch_history_events():
        t, kind = event_ts(ev), ev.event_type
        if kind in (ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
                    ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, ET.EVENT_TYPE_WORKFLOW_TASK_STARTED,
                    ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED):
            opened[ev.event_id] = t
        elif kind == ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
            a = ev.external_workflow_execution_signaled_event_attributes
            out.append(Step(SIGNAL, opened[a.initiated_event_id], closed=t))
        elif kind == ET.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            a2 = ev.workflow_task_started_event_attributes
            out.append(Step(WFT_WAIT, opened[a2.scheduled_event_id], closed=t))
        elif kind == ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            a3 = ev.workflow_task_completed_event_attributes
            out.append(Step(WFT_RUN, opened[a3.started_event_id], closed=t))
        elif kind == ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            a4 = ev.child_workflow_execution_started_event_attributes
            out.append(Step(CHILD_START, opened[a4.initiated_event_id], closed=t))
    return out


def gap_breakdown(a: float, b: float, spans: list[Step]) -> dict[str, float]:
    """What the workflows were doing between ``a`` and ``b`` (no LLM call of the chain open):
    each instant goes to a running activity (fetches and searches first), else to an activity
    waiting for a worker, else to the first of :data:`NON_ACTIVITY` in progress, else to
    the server (between a workflow's command and the event it leads to)."""
    marks = sorted({a, b, *(t for s in spans for t in (s.scheduled, s.started, s.closed)
                            if a < t < b)})
    acts = [s for s in spans if s.name not in NON_ACTIVITY]
    out: dict[str, float] = defaultdict(float)
    for lo, hi in zip(marks, marks[1:], strict=False):
        t = (lo + hi) / 2
        running = {s.name for s in acts if s.started and s.started <= t <
                   (s.closed or float("inf"))}
        other = {s.name for s in spans if s.name in NON_ACTIVITY and s.scheduled <= t < s.closed}
        if running:
            name = next((n for n in FETCHING if n in running), min(running))
            out[name + (" (outside the LLM call)" if name in LLM_BACKED else "")] += hi - lo
        elif any(s.scheduled <= t < (s.started or float("inf")) for s in acts):
            out["activity queued"] += hi - lo
        elif other:
            out[next(n for n in NON_ACTIVITY if n in other)] += hi - lo
        else:
            out["server, between command and event"] += hi - lo
    return out


@dataclass
class Goal6:
    """One run's goal-6 figures."""

    run: Run
    calls: list[Call]
    ideal: Chain
    chain: list[Call]
    gaps: list[tuple[str, float, dict[str, float]]]  # (from -> to, seconds, by activity)

    @property
    def path(self) -> float:
        """The critical path of LLM calls, seconds."""
        return self.ideal[0]

    @property
    def ratio(self) -> float:
        """Wall time / critical path."""
        return self.run.wall / self.path


async def goal6(client: Client, run: Run, subqs: list[str], conc: int) -> Goal6:
    """Classify the run's LLM calls, find both chains and break the chain's gaps down."""
    calls = classify(run.answers, subqs)
    ideal = critical_path(calls, conc, SECTION_CONCURRENCY)
    chain = recorded_chain(calls, conc)
    spans: dict[int, list[Step]] = {
        -1: await steps(client.get_workflow_handle(run.workflow_id))
        + await event_spans(client, run.workflow_id)}
    for child in run.parent.children:  # "<parent>/q<index + 1>"
        spans[int(child.rsplit("/q", 1)[1]) - 1] = \
            await steps(client.get_workflow_handle(child)) + await event_spans(client, child)
    gaps = []
    # (label, sub-question, instant, whether the call runs in the sub-question's child)
    points = [("start", -1, run.t_start, False)] + [
        (c.label(), c.subq, c.start, c.kind == "notes") for c in chain]
    ends = [("start", -1, run.t_start, False)] + [
        (c.label(), c.subq, c.end, c.kind == "notes") for c in chain]
    points.append(("result", -1, run.t_end, False))
    for (name0, q0, t0, in0), (name1, q1, t1, in1) in zip(ends, points[1:], strict=True):
        # Within one child, the parent's workflow tasks (other children's signals) do not
        # hold the child up: only the child's history counts. From a child's last notes
        # to its section (a call of the parent) both count: the child ends, then the
        # parent compares its notes and writes.
        owners = (spans[-1] if q0 != q1 or q0 < 0 or not (in0 and in1) else []) + \
            (spans.get(q0, []) if q0 >= 0 else []) + \
            (spans.get(q1, []) if q1 >= 0 and q1 != q0 else [])
        gaps.append((f"{name0} -> {name1}", t1 - t0, gap_breakdown(t0, t1, owners)))
    return Goal6(run, calls, ideal, chain, gaps)


def _largest(by: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(by.items(), key=lambda kv: -kv[1])


def median_goal6(results: list[Goal6]) -> Goal6:
    """The run with the median ratio."""
    return sorted(results, key=lambda g: g.ratio)[(len(results) - 1) // 2]


def print_goal6(cold: list[Goal6], warm: list[Goal6], delay: float, conc: int) -> None:
    """The median warm run's chain and where its gaps go, every run, the goal-6 lines."""
    g = median_goal6(warm)
    kinds = Counter(c.kind for c in g.calls)
    n = g.run.subqs
    rounds = max((c.round + 1 for c in g.calls if c.kind == "notes"), default=0)
    print(f"\n  LLM calls (median warm run): {len(g.calls)} = "
          + ", ".join(f"{kinds[k]} {k}" for k in ("plan", "notes", "section", "summary",
                                                   "judge", "other") if kinds[k]))
    print(f"  critical path by the code's structure: {len(g.ideal[1])} calls one after "
          f"another = plan {kinds['plan']} + notes {-(-n // conc)} waves of {conc} "
          f"sub-questions x {rounds} rounds + the last wave's sections, "
          f"{SECTION_CONCURRENCY} at a time + summary "
          f"{kinds['summary']} + judge batches ceil({kinds['judge']}/{JUDGE_CONCURRENCY}) = "
          f"{-(-kinds['judge'] // JUDGE_CONCURRENCY)}; with the measured call "
          f"times {g.path:.2f} s ({delay:g} s per call configured)")
    chain = g.chain
    ordered_ok = all(b.start >= a.end - 1e-3 for a, b in zip(chain, chain[1:], strict=False))
    print(f"  recorded chain (from the last call back, each call's latest-ending predecessor): "
          f"{len(chain)} calls, {sum(c.dur for c in chain):.2f} s of LLM time, each starting "
          f"after the previous one ended: {'yes' if ordered_ok else 'NO'}; same length as "
          f"the structure's: {'yes' if len(chain) == len(g.ideal[1]) else 'NO'}")
    print(f"  LLM calls open during {busy(g.calls):.2f} s of the {g.run.wall:.2f} s wall "
          f"time; the chain's {len(g.gaps)} gaps (no call of the chain open) add up to "
          f"{sum(s for _n, s, _b in g.gaps):.2f} s:")
    total: dict[str, float] = defaultdict(float)
    for name, secs, by in g.gaps:
        for k, v in by.items():
            total[k] += v
        top = ", ".join(f"{k} {v:.2f}" for k, v in _largest(by)[:3])
        print(f"    {name:<28} {secs:>5.2f} s  ({top})")
    print("  where the gaps go: " + ", ".join(f"{k} {v:.2f} s" for k, v in _largest(total)))
    print("  (from the histories: a running activity first, fetching and search before the "
          "others; 'outside the LLM call': an LLM-backed activity before or after its call)")
    gc = median_goal6(cold)
    extra: dict[str, float] = defaultdict(float)
    for _n, _s, by in gc.gaps:
        for k, v in by.items():
            extra[k] += v
    for k, v in total.items():
        extra[k] -= v
    print(f"  cold worker (median run): gaps {sum(s for _n, s, _b in gc.gaps):.2f} s; more "
          "than warm: " + ", ".join(f"{k} {v:+.2f} s" for k, v in _largest(extra)[:4]))
    for kind, results in (("cold", cold), ("warm", warm)):
        print(f"  {kind} runs: " + "; ".join(
            f"wall {r.run.wall:.2f} s / path {r.path:.2f} s = {r.ratio:.2f}x" for r in results))
    for kind, results in (("warm", warm), ("cold", cold)):
        m = median_goal6(results)
        met = "met" if m.ratio <= TARGET else "NOT met"
        print(f"deep report ({kind} worker): wall {m.run.wall:.2f} s / critical path "
              f"{m.path:.2f} s = {m.ratio:.2f} x (issue 26 goal 3, target <= {TARGET:g}: "
              f"{met}; {m.run.subqs} sub-questions, "
              f"{delay:g} s LLM, median of {len(results)} run(s))")


async def run_goal6(args: argparse.Namespace,
                    bench: Bench) -> tuple[list[Goal6], list[Goal6]]:
    """The goal-6 runs: per repeat, a fresh worker does two deep reports planning
    ``max(--subquestions)`` sub-questions: the first (cold worker), then the second (warm:
    as the embedded mode's supervised worker, which is already running)."""
    n = max(args.subquestions)
    conc = DEPTH_PRESETS[Depth.DEEP].concurrency
    spec = Spec(f"subq={n} planned", planned=list(SUBQUESTIONS[:n]), agent=args.agent)
    cold: list[Goal6] = []
    warm: list[Goal6] = []
    for rep in range(args.repeats):
        runs = await bench.series(spec, 2)
        assert bench.client is not None
        for r, out in zip(runs, (cold, warm), strict=True):
            g = await goal6(bench.client, r, list(SUBQUESTIONS[:n]), conc)
            out.append(g)
        print(f"  [{rep + 1}/{args.repeats}] " + ", ".join(
            f"{kind} worker: wall {g.run.wall:.2f} s, {len(g.calls)} LLM calls, critical "
            f"path {g.path:.2f} s -> {g.ratio:.2f}x"
            for kind, g in (("cold", cold[-1]), ("warm", warm[-1]))), flush=True)
    return cold, warm


# ----- main --------------------------------------------------------------------------


def plan_runs(args: argparse.Namespace) -> list[Spec]:
    """The runs to do, in order."""
    specs = [Spec("deep")]
    for n in args.subquestions:
        specs.append(Spec(f"subq={n}", list(SUBQUESTIONS[:n])))
    for c in args.concurrency:
        n = max(args.subquestions)
        specs.append(Spec(f"subq={n} conc={c}*", list(SUBQUESTIONS[:n]), concurrency=c))
    if args.wrong_every:
        specs.append(Spec("checker", wrong_every=args.wrong_every))
    return specs


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time, carrying every run's wall time and top RSS."""
    ordered = sorted(runs, key=lambda r: r.work)
    rep = ordered[(len(ordered) - 1) // 2]
    rep.walls = [r.work for r in runs]
    rep.rss_ready = max(r.rss_ready for r in runs)
    rep.rss_peak = max(r.rss_peak for r in runs)
    return rep


def print_summary(runs: list[Run]) -> None:
    """Breakdowns of the deep run, scaling, concurrency, checker and the summary line."""
    deep = runs[0]
    print()
    print_activities(deep)
    print_where(deep)
    biggest = max(runs, key=lambda r: r.total("server_bytes"))
    if biggest is not deep:
        print_where(biggest)
    scaling = [r for r in runs if r.spec.name.startswith("subq=") and not r.spec.concurrency]
    if scaling:
        b = scaling[0]
        print("  scaling with sub-questions: " + ", ".join(
            f"{r.subqs} -> {r.work:.2f} s ({r.work / b.work:.2f}x, "
            f"{r.work / r.subqs:.2f} s per sub-question)" for r in scaling))
    conc = [r for r in runs if r.spec.concurrency]
    if conc:
        c0 = conc[0]
        print(f"  {c0.subqs} sub-questions, sub-questions at a time*: " + ", ".join(
            f"{r.spec.concurrency} -> {r.work:.2f} s ({r.work / c0.work:.2f}x, sub-question "
            f"phase {r.phases()['sub-questions']:.2f} s)" for r in conc))
    checker = next((r for r in runs if r.spec.wrong_every), None)
    if checker is not None:
        k = checker.spec.wrong_every
        nth = f"{k}{'tsnrhtdd'[(k // 10 % 10 != 1) * (k % 10 < 4) * k % 10::4]}"
        print(f"  checker (every {nth} written sentence cites a wrong "
              f"source): {checker.checked} cited sentences, {checker.wrong} wrongly cited, "
              f"{checker.flagged} marked [unverified] ({checker.judged} sent to the LLM "
              f"judge): precision {checker.precision:.2f}, recall {checker.recall:.2f}")
    total = deep.total("server_bytes")
    line = (f"research: deep report with {deep.distinct_pages} pages in {deep.work:.1f} s, "
            f"{sum(deep.activities.values())} activities, history {deep.total('events')} "
            f"events / {total / KIB:.0f} KiB ({total / max(deep.distinct_pages, 1):.0f} B per "
            f"page, parent {deep.parent.events} events / {kib(deep.parent.server_bytes)} KiB), "
            f"peak worker RSS {deep.rss_peak:.0f} MiB")
    if checker is not None:
        line += f"; checker precision {checker.precision:.2f} recall {checker.recall:.2f}"
    print(line)


@contextlib.asynccontextmanager
async def started(args: argparse.Namespace) -> AsyncIterator[Bench]:
    """The fake LLM, the generated site, its search server and a dev server, as a
    :class:`Bench`; all stopped afterwards, the temporary folder removed unless --keep."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-research-"))
    fake = start_fake_llm(args.llm_delay)
    site = ResearchSite(args.pages).start()
    search = SearchServer().start()
    search.add_documents(site.documents())
    server = DevServer(tmp / "server")
    try:
        server.start()
        yield Bench(args, tmp, server, fake, search, site)
    finally:
        server.stop()
        search.stop()
        site.stop()
        fake.stop()
        if args.keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


async def run(args: argparse.Namespace) -> int:
    """Start the servers, do every run, print the figures."""
    if args.critical_path:
        return await run_critical_path(args)
    preset = DEPTH_PRESETS[Depth.DEEP]
    specs = plan_runs(args)
    print(f"research: deep reports on a generated site of {args.pages} pages, fake LLM "
          f"{args.llm_delay:g} s per call, fake SearXNG, fetch host delay 0, fresh worker "
          f"process per run, {args.repeats} repeat(s) of {len(specs)} runs", flush=True)
    print(f"  deep preset: up to {preset.max_subquestions} sub-questions, "
          f"{preset.pages_per_subquestion} pages x {preset.rounds} rounds each, "
          f"{preset.search_results} search results, {preset.concurrency} sub-questions at a "
          f"time; question {QUESTION!r}", flush=True)
    print(f"  machine: {machine()}", flush=True)
    done: dict[str, list[Run]] = {s.name: [] for s in specs}
    async with started(args) as bench:
        for rep in range(args.repeats):  # round robin: background load hits all runs alike
            for spec in specs:
                r = await bench.run(spec)
                done[spec.name].append(r)
                print(f"  [{rep + 1}/{args.repeats} {spec.name}] {r.work:.2f} s, "
                      f"{r.subqs} sub-questions ({r.overlap} at once), "
                      f"{sum(r.activities.values())} activities, {r.distinct_pages} pages, "
                      f"history {kib(r.total('server_bytes'))} KiB, plan-review wait "
                      f"{r.review_wait:.2f} s", flush=True)
    runs = [median_run(done[s.name]) for s in specs]
    print_runs(runs)
    print_summary(runs)
    return 0


async def run_critical_path(args: argparse.Namespace) -> int:
    """Goal 6: start the servers, do the runs, print the figures."""
    preset = DEPTH_PRESETS[Depth.DEEP]
    print(f"research critical path (issue 14, goal 6): deep report, the fake LLM plans "
          f"{max(args.subquestions)} sub-questions (no review), {args.llm_delay:g} s per LLM "
          f"call; {args.pages} pages, fake SearXNG, fetch host delay 0; {args.repeats} "
          f"repeat(s) of a fresh worker process doing 2 reports (cold, then warm); deep "
          f"preset: {preset.pages_per_subquestion} pages "
          f"x {preset.rounds} rounds per sub-question, {preset.concurrency} sub-questions and "
          f"{SECTION_CONCURRENCY} sections at a time", flush=True)
    print(f"  machine: {machine()}", flush=True)
    async with started(args) as bench:
        cold, warm = await run_goal6(args, bench)
    print_goal6(cold, warm, args.llm_delay, preset.concurrency)
    return 0


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    """Parse arguments and run (or, with ``--worker``, be a worker process)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=96, help="articles on the generated site")
    ap.add_argument("--llm-delay", type=float, default=None,
                    help="fake LLM seconds per call (0.2; --critical-path: 1)")
    ap.add_argument("--subquestions", type=_ints, default=[3, 4, 8],
                    help="sub-question counts to scale over (3-8, comma-separated)")
    ap.add_argument("--concurrency", type=_ints, default=[1, 4],
                    help="sub-questions at a time to compare, on the largest sub-question "
                         "count, with a patched bench worker (comma-separated; '' for none)")
    ap.add_argument("--wrong-every", type=int, default=3,
                    help="checker run: every k-th sentence cites a wrong source (0: no run)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each kind (median)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per report")
    ap.add_argument("--quick", action="store_true",
                    help="tiny: 24 pages, instant LLM, sub-questions 3 only, no "
                         "concurrency runs, 1 repeat (the smoke test)")
    ap.add_argument("--critical-path", action="store_true",
                    help="issue 14, goal 6: only a deep report planning max(--subquestions) "
                         "sub-questions; wall time vs the critical path of its LLM calls")
    ap.add_argument("--agent", action="store_true",
                    help="--critical-path with the research agent per sub-question (its "
                         "model turns are the sub-question's chain)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--subq-concurrency", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        asyncio.run(worker_main(args.worker, args.subq_concurrency))
        return
    if args.llm_delay is None:
        args.llm_delay = 1.0 if args.critical_path else 0.2
    if args.quick:
        args.pages, args.llm_delay, args.subquestions, args.concurrency = 24, 0.0, [3], []
        args.repeats = 1
    if args.critical_path and args.llm_delay <= 0:
        ap.error("--critical-path needs --llm-delay > 0 (the path is made of LLM time)")
    if any(not 3 <= n <= 8 for n in args.subquestions):
        ap.error("--subquestions: the product accepts 3 to 8 sub-questions")
    if args.concurrency and not args.subquestions:
        ap.error("--concurrency needs --subquestions")
    sys.exit(run_main(run(args)))


if __name__ == "__main__":
    main()
