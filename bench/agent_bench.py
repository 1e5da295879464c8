"""The research agent against the fixed pipeline on the same question and sources.

Usage: python bench/agent_bench.py [--repeats 3] [--llm-delay 0.0] [--max-steps 12]
       python bench/agent_bench.py --eval [--limit N] [--model M] [--max-steps 12]

Everything is real except the LLM and the web: a private Temporal dev server, a worker in
this process, the fake LLM (the agent's turns are its default researcher: search, read the
two best hits, follow a link, note, done), the fake SearXNG server and the fixture site.
Both modes run a standard report of "Tell me about tardigrades." (4 sub-questions); per
mode the medians of: wall time, LLM calls, tokens, pages fetched, sources cited, cited
sentences verified, and each sub-question's history (events, KiB).

``--eval``: both modes on the project's evaluation set instead (``bench/eval``: the
questions with gold documents and key facts, the SQLite documentation corpus with decoy
pages, as ``--sources`` without the web): per mode the totals over the questions of gold
documents cited (recall), key facts stated, decoy pages cited, cited sentences verified,
LLM calls, tokens, wall time and history per sub-question.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from _common import DevServer, machine, run_main
from temporalio.client import Client

from durable_research.client import start_report
from durable_research.config import Settings
from durable_research.contract.report import ReportInput
from durable_research.contract.research import AgentMode
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_site import FixtureSite
from durable_research.testing.search_server import SearchServer
from durable_research.testing.temporal import connect_retrying
from durable_research.worker.build import build_worker

QUESTION = "Tell me about tardigrades."


@dataclass
class Row:
    """One report's figures."""

    seconds: float
    llm_calls: int
    tokens: int
    pages: int
    cited: int
    verified: str
    events: float
    kib: float


async def one(client: Client, settings: Settings, fake: FakeLLM, site: FixtureSite,
              mode: AgentMode, steps: int) -> Row:
    """Run one report in ``mode`` and measure it."""
    fake.reset()
    site.reset()
    began = time.perf_counter()
    handle = await start_report(client, settings, ReportInput(
        prompt=QUESTION, depth="standard", agent=mode, formats=["md"],
        max_steps=steps if mode == AgentMode.ON else 0, output_dir=settings.output_dir),
        f"bench-{mode}-{uuid.uuid4().hex[:8]}")
    result = await handle.result()
    seconds = time.perf_counter() - began
    sizes = []
    for i in range(len(result.subquestions)):
        history = await client.get_workflow_handle(f"{handle.id}/q{i + 1}").fetch_history()
        sizes.append((len(history.events), sum(e.ByteSize() for e in history.events)))
    v = result.verification
    return Row(seconds, fake.successes, result.usage.total_tokens,
               sum(site.hits("/" + p.url.split("/", 3)[3]) for p in site.articles()),
               len(result.references), f"{v.supported}/{v.checked}" if v else "-",
               statistics.median(n for n, _b in sizes), statistics.median(b for _n, b in sizes)
               / 1024)


def median(rows: list[Row]) -> Row:
    """The median of each figure (the verified counts of the first run)."""
    def med(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in rows))

    return Row(med("seconds"), int(med("llm_calls")), int(med("tokens")), int(med("pages")),
               int(med("cited")), rows[0].verified, med("events"), med("kib"))


async def bench(args: argparse.Namespace) -> int:
    """Start the servers, run both modes round robin, print the medians."""
    print(f"agent vs fixed pipeline, {args.repeats} round(s); {machine()}")
    with tempfile.TemporaryDirectory(prefix="agent-bench-") as tmp:
        dev = DevServer(Path(tmp) / "temporal")
        dev.start()
        fake = FakeLLM(delay=args.llm_delay).start()
        site = FixtureSite().start()
        search = SearchServer().start()
        search.add_documents((p.url, p.title, p.text) for p in site.articles())
        settings = Settings(
            llm_model="openai/fake-model", llm_api_key="bench", llm_api_base=fake.api_base,
            llm_tool_calling="on", searxng_url=search.base_url, fetch_allow_private=True,
            fetch_host_delay_s=0.0, data_dir=tmp, output_dir=str(Path(tmp) / "reports"),
            temporal_address=dev.address, embedded="never", encryption=False,
            task_queue=f"bench-{uuid.uuid4().hex[:8]}")
        try:
            client = await connect_retrying(dev.address, settings=settings)
            rows: dict[AgentMode, list[Row]] = {AgentMode.OFF: [], AgentMode.ON: []}
            async with build_worker(client, settings):
                for _ in range(args.repeats):
                    for mode, runs in rows.items():
                        runs.append(await one(client, settings, fake, site, mode,
                                              args.max_steps))
        finally:
            for server in (search, site, fake):
                server.stop()
            dev.stop()
    print(f"{'mode':9} {'wall s':>7} {'LLM calls':>9} {'tokens':>7} {'pages':>5} "
          f"{'cited':>5} {'verified':>9} {'events/subq':>11} {'KiB/subq':>8}")
    for mode, runs in rows.items():
        r = median(runs)
        name = "agent" if mode == AgentMode.ON else "pipeline"
        print(f"{name:9} {r.seconds:7.2f} {r.llm_calls:9} {r.tokens:7} {r.pages:5} "
              f"{r.cited:5} {r.verified:>9} {r.events:11.0f} {r.kib:8.1f}")
    return 0


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--llm-delay", type=float, default=0.0, help="seconds per LLM answer")
    parser.add_argument("--max-steps", type=int, default=12)
    parser.add_argument("--eval", action="store_true",
                        help="both modes on the evaluation set (bench/eval), not one report")
    parser.add_argument("--limit", type=int, default=0, help="with --eval: the first N questions")
    parser.add_argument("--model", default="", help="with --eval: this model (LLM_* settings "
                        "of the environment) instead of the fake LLM")
    args = parser.parse_args()
    if args.eval:
        from _agent_eval import bench_eval

        raise SystemExit(run_main(bench_eval(args)))
    raise SystemExit(run_main(bench(args)))


if __name__ == "__main__":
    main()
