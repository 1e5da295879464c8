"""The raw baseline of a warm run: ``python bench/_raw_client.py ADDRESS TASK_QUEUE``.

What the Temporal tutorial's starter does, as a process of its own: import
``temporalio.client`` (and nothing of the app), connect, start ``_raw.py``'s no-op
workflow (three activities, the shape of a quick report) on a queue a raw worker
(``_raw_start.py``) serves, print ``Started workflow ID``, wait for the result and
print ``PDF ...`` as ``research run`` prints its file: ``_common.timed_run`` times both.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from temporalio.client import Client


async def main(address: str, task_queue: str) -> None:
    """Start the workflow, say so, wait for its result, say so."""
    client = await Client.connect(address)
    handle = await client.start_workflow("RawReportWorkflow", 0.0, result_type=str,
                                         id=f"raw-{uuid.uuid4().hex[:12]}",
                                         task_queue=task_queue)
    print(f"Started workflow {handle.id}", flush=True)
    print(f"PDF {await handle.result()}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
    # As the CLI leaves: a client's native threads can crash the interpreter's teardown
    # (sdk-python#300), which would turn a clean run into a failed one.
    os._exit(0)
