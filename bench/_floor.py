"""The work floor: a quick report's real work with no orchestration of the app around it.

Same three steps as the raw limit (``_raw.py``), but each does what the app's step must
do at the least: the LLM call through litellm to the fake LLM, the PDF rendered by the
app's layout, the mail with the PDF attached sent over a reused SMTP connection. No
answer memo, no mail ledger, no artifact store, no heartbeats, no progress, no
workflow state: what no orchestration can remove. ``throughput.py`` runs it next to
the raw limit and the app, so the gap between raw and floor shows what the work alone
costs on this machine (goals 1 and 2), and the gap between floor and app what the
app's durability adds. ``python bench/_floor.py N`` (worker settings from the env)
measures each step's bare work alone, N times, without Temporal: CPU ms per call.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from durable_research.config import Settings

FLOOR_STEPS = ("floor_llm", "floor_pdf", "floor_email")


class FloorActivities:
    """The three steps' bare work, with the worker's settings."""

    def __init__(self, settings: Settings) -> None:
        """Keep the settings; the SMTP connection opens on first use and is reused."""
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._smtp_lock = threading.Lock()

    @activity.defn(name="floor_llm")
    async def floor_llm(self, prompt: str) -> str:
        """One chat completion through litellm, as the app makes it (no retries)."""
        return await bare_llm(self.settings, prompt)

    @activity.defn(name="floor_pdf")
    async def floor_pdf(self, text: str) -> str:
        """The answer laid out as the app's PDF, written to the output folder."""
        data = await asyncio.to_thread(bare_pdf, text)
        out = Path(self.settings.output_dir) / "floor"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{activity.info().workflow_id}.pdf"
        await asyncio.to_thread(path.write_bytes, data)
        return str(path)

    @activity.defn(name="floor_email")
    async def floor_email(self, path: str) -> str:
        """The PDF mailed to the sink over one reused connection."""
        await asyncio.to_thread(self.send, Path(path).read_bytes())
        return "sent"

    def send(self, pdf: bytes) -> None:
        """Mail ``pdf`` to the sink over the reused connection (blocking)."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "bench@localhost", "reader@example.com", "r"
        msg.set_content("Your report is attached.")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="report.pdf")
        with self._smtp_lock:
            if self._smtp is None:
                self._smtp = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port,
                                          timeout=30)
            self._smtp.send_message(msg)

    def all(self) -> list[Any]:
        """The activities to register."""
        return [self.floor_llm, self.floor_pdf, self.floor_email]


async def bare_llm(settings: Settings, prompt: str) -> str:
    """The chat completion a report cannot skip, through litellm as the app calls it."""
    import litellm

    from durable_research.activities.llm import completion_kwargs
    from durable_research.llm.prompts import RESEARCH_SYSTEM

    kwargs = completion_kwargs(settings, settings.llm_model, RESEARCH_SYSTEM, prompt)
    response: Any = await litellm.acompletion(**kwargs)
    return str(response.choices[0].message.content or "")


def bare_pdf(text: str) -> bytes:
    """The answer laid out as the app's PDF (blocking)."""
    from durable_research.contract.report import ReportContent
    from durable_research.layout import render_bytes

    content = ReportContent(question="floor", body_markdown=text, model="fake",
                            date="2026-01-01")
    return render_bytes(content, "pdf")


@workflow.defn(name="FloorReportWorkflow")
class FloorReportWorkflow:
    """Three activities in a row, as the raw limit, doing the bare work."""

    @workflow.run
    async def run(self, prompt: str) -> str:
        """Run the three steps."""
        text = prompt
        for name in FLOOR_STEPS:
            text = await workflow.execute_activity(
                name, text, result_type=str, start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_attempts=1))  # a broken bench fails at once
        return text


async def bare_cpu(n: int) -> dict[str, float]:
    """CPU ms per call of each step's bare work, run ``n`` times alone in this process
    (settings from the env; no Temporal). The pause after each call lets work a call
    leaves behind (litellm's logging) run inside its own measurement."""
    import time

    from durable_research.config import load_settings

    settings = load_settings()
    steps = FloorActivities(settings)
    text, pdf = "", b""

    async def llm(i: int) -> None:
        nonlocal text
        text = await bare_llm(settings, f"Throughput bare {i}: tardigrade facts.")

    async def render(_: int) -> None:
        nonlocal pdf
        pdf = bare_pdf(text)

    async def mail(_: int) -> None:
        steps.send(pdf)

    cpu: dict[str, float] = {}
    for name, step in (("llm", llm), ("pdf", render), ("mail", mail)):
        await step(-1)  # warm: imports, fonts, the SMTP connection
        used = 0.0
        for i in range(n):
            t0 = time.process_time()
            await step(i)
            await asyncio.sleep(0.02)
            used += time.process_time() - t0
        cpu[name] = used / n * 1000
    return cpu


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(asyncio.run(bare_cpu(int(sys.argv[1]) if len(sys.argv) > 1 else 30))))
