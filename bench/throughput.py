"""Throughput and the cost of durability: reports per second, Temporal vs a plain script.

Usage: python bench/throughput.py [--workflows 200] [--sequential 20] [--concurrency 20]

With an instant fake LLM (delay 0) and a local SMTP sink it measures, in one run:
completed workflows/s with one and with two worker processes; the same three steps
(litellm -> write_report -> SMTP) as a plain asyncio script at the worker's
activity concurrency; and one-at-a-time latency of both, giving the per-step
overhead of durability (server round trips, history writes, workflow tasks).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import smtplib
import statistics
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from _common import (
    DevServer,
    SmtpSink,
    WorkerProc,
    connect,
    machine,
    p50_p95,
    run_main,
    start_fake_llm,
    steps,
    worker_env,
)
from temporalio.client import Client

from durable_research import prompts
from durable_research.layout import write_report
from durable_research.shared import ReportContent, ReportInput, ReportResult
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.report import GenerateReportWorkflow

STEPS = ("llm_call", "create_pdf", "send_email")


async def temporal_batch(client: Client, tq: str, n: int, out: Path, tag: str) -> float:
    """Start ``n`` reports at once and wait for all; returns the wall time (s)."""
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        params = ReportInput(prompt=f"Throughput {tag} {i}: tardigrade facts.",
                             output_dir=str(out), email_to=f"reader{i}@example.com")
        async with sem:
            handle = await client.start_workflow(
                GenerateReportWorkflow.run, params, id=f"tp-{tq}-{tag}-{i}", task_queue=tq,
                result_type=ReportResult,
            )
        result = await handle.result()
        assert result.status == "completed" and result.email.sent, result

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - t0


async def temporal_sequential(client: Client, tq: str, m: int, out: Path) -> dict[str, list]:
    """Run ``m`` reports one at a time: end-to-end latency and each activity's run time."""
    rows: dict[str, list[float]] = {"total": [], **{s: [] for s in STEPS}}
    for i in range(-1, m):  # -1: warm-up (the worker loads fonts), not counted
        params = ReportInput(prompt=f"Sequential {i}: tardigrade facts.", output_dir=str(out),
                             email_to=f"reader{i}@example.com")
        t0 = time.perf_counter()
        handle = await client.start_workflow(
            GenerateReportWorkflow.run, params, id=f"seq-{tq}-{i}", task_queue=tq,
            result_type=ReportResult,
        )
        await handle.result()
        if i < 0:
            continue
        rows["total"].append(time.perf_counter() - t0)
        for st in await steps(handle):
            rows[st.name].append(st.closed - st.started)
    return rows


class Plain:
    """The same three steps without Temporal: litellm, write_report, smtplib."""

    def __init__(self, fake: FakeLLM, smtp_port: int, out: Path) -> None:
        """Remember where the LLM and SMTP servers are and where to write."""
        self.fake, self.smtp_port, self.out = fake, smtp_port, out

    async def llm(self, prompt: str) -> str:
        """One chat completion, called the way the llm_call activity calls it."""
        import litellm  # after durable_research, which keeps litellm offline at import

        litellm.suppress_debug_info = True
        response = await litellm.acompletion(
            model="openai/fake-model", api_key="bench-key", api_base=self.fake.api_base,
            messages=[{"role": "system", "content": prompts.RESEARCH_SYSTEM},
                      {"role": "user", "content": prompt}],
            num_retries=0, timeout=120,
        )
        return str(response.choices[0].message.content)

    def pdf(self, question: str, text: str, name: str) -> Path:
        """Lay the report out as a PDF."""
        content = ReportContent(question=question, body_markdown=text, model="openai/fake-model",
                                date="2025-01-01")
        return write_report(content, self.out, name, ["pdf"], True)[0]

    def email(self, path: Path, to: str, name: str) -> None:
        """Mail the PDF to the local SMTP sink."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "bench@localhost", to, f"Research report {name}"
        msg["Message-ID"] = f"<{name}@bench>"
        msg.set_content("Your research report is attached.")
        msg.add_attachment(path.read_bytes(), maintype="application", subtype="pdf",
                           filename=path.name)
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=60) as smtp:
            smtp.send_message(msg)

    async def report(self, i: int, tag: str) -> dict[str, float]:
        """All three steps for one question; returns each step's seconds."""
        question = f"Plain {tag} {i}: tardigrade facts."
        t0 = time.perf_counter()
        text = await self.llm(question)
        t1 = time.perf_counter()
        path = await asyncio.to_thread(self.pdf, question, text, f"plain-{tag}-{i}")
        t2 = time.perf_counter()
        await asyncio.to_thread(self.email, path, f"reader{i}@example.com", f"plain-{tag}-{i}")
        t3 = time.perf_counter()
        return {"llm_call": t1 - t0, "create_pdf": t2 - t1, "send_email": t3 - t2, "total": t3 - t0}

    async def batch(self, n: int, concurrency: int) -> float:
        """``n`` reports, ``concurrency`` at a time; returns the wall time (s)."""
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem:
                await self.report(i, "batch")

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - t0


async def with_workers(n_workers: int, server: DevServer, fake: FakeLLM, sink: SmtpSink,
                       tmp: Path, job: str, n: int) -> tuple[float, dict[str, list] | None]:
    """Start ``n_workers`` worker processes on a fresh queue and run ``job`` against them."""
    tq = f"tp{n_workers}-{uuid.uuid4().hex[:6]}"
    env = worker_env(server.address, tq, fake, tmp, sink.port)
    workers = [WorkerProc(env, tmp / "worker.log") for _ in range(n_workers)]
    try:
        for w in workers:
            await asyncio.to_thread(w.wait_ready)
        client = await connect(server.address)
        if job == "batch":
            return await temporal_batch(client, tq, n, tmp / "reports", tq), None
        return 0.0, await temporal_sequential(client, tq, n, tmp / "reports")
    finally:
        for w in workers:
            w.kill()


async def run(args: argparse.Namespace) -> int:
    """Run every measurement and print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    fake, sink = start_fake_llm(0.0), SmtpSink().start()
    server = DevServer(tmp / "server")
    server.start()
    plain = Plain(fake, sink.port, tmp / "plain")
    n, m = args.workflows, args.sequential
    print(f"throughput: {n} workflows, instant fake LLM, e-mail to a local SMTP sink, "
          f"{args.concurrency} activities at a time per worker", flush=True)
    print(f"  machine: {machine()}", flush=True)
    try:
        await plain.report(0, "warm-up")
        seq_plain = [await plain.report(i, "seq") for i in range(m)]
        wall_plain = await plain.batch(n, args.concurrency)
        _, seq_tmp = await with_workers(1, server, fake, sink, tmp, "sequential", m)
        wall1, _ = await with_workers(1, server, fake, sink, tmp, "batch", n)
        wall2, _ = await with_workers(2, server, fake, sink, tmp, "batch", n)
    finally:
        server.stop()
        sink.stop()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    assert seq_tmp is not None
    print(f"  Temporal, 1 worker : {n} in {wall1:6.1f} s -> {n / wall1:6.2f} workflows/s")
    print(f"  Temporal, 2 workers: {n} in {wall2:6.1f} s -> {n / wall2:6.2f} workflows/s")
    print(f"  plain script       : {n} in {wall_plain:6.1f} s -> {n / wall_plain:6.2f} reports/s "
          f"(Temporal 1 worker at {wall_plain / wall1:.0%} of it)")
    print(f"  one at a time ({m} reports), ms:  plain step | activity run time (Temporal)")
    for name in STEPS:
        col = [r[name] for r in seq_plain]
        print(f"    {name:<11} {p50_p95(col, 'ms', 1000, 1)} | "
              f"{p50_p95(seq_tmp[name], 'ms', 1000, 1)}")
    plain_total = statistics.median(r["total"] for r in seq_plain)
    tmp_total = statistics.median(seq_tmp["total"])
    print(f"    end-to-end  plain {p50_p95([r['total'] for r in seq_plain], 'ms', 1000, 1)}")
    print(f"    end-to-end  Temporal {p50_p95(seq_tmp['total'], 'ms', 1000, 1)}")
    over = (tmp_total - plain_total) / len(STEPS) * 1000
    print(f"throughput: 1 worker {n / wall1:.2f}/s, 2 workers {n / wall2:.2f}/s, plain "
          f"{n / wall_plain:.2f}/s; durability overhead {over:.0f} ms per step "
          f"(end-to-end p50 {tmp_total / plain_total:.2f}x the plain script)")
    return 0


def main() -> None:
    """Parse arguments and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workflows", type=int, default=200, help="reports per batch")
    ap.add_argument("--sequential", type=int, default=20, help="reports run one at a time")
    ap.add_argument("--concurrency", type=int, default=20,
                    help="plain script's parallel reports (worker default: 20 activities)")
    sys.exit(run_main(run(ap.parse_args())))


if __name__ == "__main__":
    main()
