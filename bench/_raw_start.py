"""The raw baseline of a worker's start: ``python bench/_raw_start.py ADDRESS TASK_QUEUE``.

A plain Temporal worker process (temporalio only, the default data converter, no app
import) hosting ``_raw.py``'s no-op workflow: it connects, starts polling and prints
``polling`` on stdout, as ``durable_research.worker.proc`` says it on its status pipe.
What any Temporal worker in Python pays to start on this machine; it runs until its
stdin closes.
"""

from __future__ import annotations

import asyncio
import sys

from _raw import RAW_ACTIVITIES, RawReportWorkflow
from temporalio.client import Client
from temporalio.worker import Worker


async def main(address: str, task_queue: str) -> None:
    """Connect, poll, say so, and run until stdin closes."""
    client = await Client.connect(address)
    # RAW_ACTIVITIES is a list of bare functions, typed list[function] by mypy.
    worker = Worker(client, task_queue=task_queue, workflows=[RawReportWorkflow],
                    activities=RAW_ACTIVITIES)  # type: ignore[arg-type]
    async with worker:
        print("polling", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
