"""The raw limit: a workflow of three no-op activities, the baseline the app is measured against.

Same shape as a quick report (LLM -> PDF -> e-mail) with nothing inside the steps: what
the server, the SDK and one worker process cost per report on this machine. The first
step sleeps for the fake LLM's delay, so "with a 1 s LLM" means the same for both.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

RAW_STEPS = ("raw_llm", "raw_pdf", "raw_email")


@activity.defn(name="raw_llm")
async def raw_llm(delay_s: float) -> str:
    """Wait like an LLM call, do nothing else."""
    if delay_s:
        await asyncio.sleep(delay_s)
    return "answer"


@activity.defn(name="raw_pdf")
async def raw_pdf(text: str) -> str:
    """No rendering."""
    return text


@activity.defn(name="raw_email")
async def raw_email(text: str) -> str:
    """No mail."""
    return text


@workflow.defn(name="RawReportWorkflow")
class RawReportWorkflow:
    """Three activities in a row, with the timeouts of the app's steps but no heartbeats."""

    @workflow.run
    async def run(self, delay_s: float) -> str:
        """Run the three steps."""
        text = ""
        for name, arg in zip(RAW_STEPS, (delay_s, "a", "b"), strict=True):
            text = await workflow.execute_activity(
                name, arg, result_type=str, start_to_close_timeout=timedelta(minutes=2))
        return text


RAW_ACTIVITIES = [raw_llm, raw_pdf, raw_email]
