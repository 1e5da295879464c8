"""A worker process for the bench scripts: the app's real worker, settings from the env.

Usage: ``python bench/_worker.py --ready FILE [--llm-heartbeat S] [--llm-retry-initial S]``

The two tuning flags exist only to measure what shorter constants in
``workflows/report.py`` would buy; without them the worker is exactly
``durable_research.worker.build_worker``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from durable_research import worker as app_worker
from durable_research.config import load_settings
from durable_research.testing.temporal import connect_retrying
from durable_research.workflows import report, steps


def _tune(heartbeat_s: float | None, retry_initial_s: float | None) -> None:
    """Patch the LLM step's constants and let the sandbox see the patched module."""
    step = steps.LLM_STEP
    if heartbeat_s is not None:
        step = replace(step, heartbeat=timedelta(seconds=heartbeat_s))
    if retry_initial_s is not None:
        initial = timedelta(seconds=retry_initial_s)
        step = replace(step, retry=replace(step.retry, initial_interval=initial))
    # report.py imported the name; patch it where the workflow looks it up.
    report.LLM_STEP = step
    # The sandbox re-imports workflow modules; passing ours through keeps the patch visible.
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("durable_research")
    )
    app_worker.Worker = functools.partial(app_worker.Worker, workflow_runner=runner)  # type: ignore[misc]


async def main() -> None:
    """Connect (retrying while the server restarts), then run the worker until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready", type=Path, required=True, help="written once polling")
    parser.add_argument("--llm-heartbeat", type=float, help="seconds (app default 5)")
    parser.add_argument("--llm-retry-initial", type=float, help="seconds (app default 1)")
    args = parser.parse_args()
    if args.llm_heartbeat is not None or args.llm_retry_initial is not None:
        _tune(args.llm_heartbeat, args.llm_retry_initial)
    settings = load_settings()
    # The payload codec comes from the same settings: the key the bench put in the env.
    client = await connect_retrying(settings.temporal_address, attempts=600, settings=settings)
    async with app_worker.build_worker(client, settings):
        args.ready.write_text("ready")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
