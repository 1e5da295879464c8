"""A real worker process for crash tests: ``python -m tests.support.worker_proc``.

Settings come from the environment. With ``--block-pdf MARKER``, the
``create_pdf`` activity is replaced by one that writes MARKER and then blocks
forever, so the test can SIGKILL the process right between the LLM step and
the PDF step.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from temporalio import activity

from durable_research.activities.email import EmailActivities
from durable_research.activities.llm import LlmActivities
from durable_research.config import load_settings
from durable_research.shared import CreatePdfInput, CreatePdfOutput
from durable_research.testing.temporal import connect_retrying
from durable_research.worker import build_worker


def blocking_pdf(marker: Path):  # type: ignore[no-untyped-def]
    """An activity named create_pdf that never finishes."""

    @activity.defn(name="create_pdf")
    async def create_pdf(params: CreatePdfInput) -> CreatePdfOutput:
        marker.write_text(activity.info().workflow_id)
        while True:
            await asyncio.sleep(3600)

    return create_pdf


async def main() -> None:
    """Run the worker until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--block-pdf", type=Path)
    parser.add_argument("--ready", type=Path, help="file written once the worker polls")
    args = parser.parse_args()
    settings = load_settings()
    client = await connect_retrying(settings.temporal_address)  # it may be restarting
    activities = None
    if args.block_pdf:
        activities = [
            LlmActivities(settings).llm_call,
            blocking_pdf(args.block_pdf),
            EmailActivities(settings).send_email,
        ]
    worker = build_worker(client, settings, activities=activities)
    async with worker:
        if args.ready:
            args.ready.write_text("ready")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
