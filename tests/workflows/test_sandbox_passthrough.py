"""Library code that runs on the worker's thread while a workflow task executes is not
re-imported inside the sandbox.

A garbage-collected asyncio task of litellm's logging worker logs "Task was destroyed but
it is pending" from wherever the collector ran, at times inside a workflow task; litellm's
log filter then imports ``litellm.constants`` lazily, the sandbox's importer re-imported
litellm for the workflow, litellm's first line read ``os.getenv`` and the sandbox refused
it (a RestrictedWorkflowAccessError from a log filter: an unraisable exception, which
failed an end-to-end test under load). The test imports the same module from workflow
code, as the filter did.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker.workflow_sandbox import RestrictedWorkflowAccessError

with workflow.unsafe.imports_passed_through():  # the sandbox re-imports this module
    from durable_research.config import Settings
    from durable_research.worker.build import build_worker


@workflow.defn(sandboxed=True)
class ImportsWhatALogFilterImports:
    @workflow.run
    async def run(self) -> str:
        try:
            importlib.import_module("litellm.constants")
        # The refusal is the answer, not a failed task to retry: os.getenv refused, or,
        # where warnings are errors (this suite), the sandbox's "imported after initial
        # workflow load" warning on the way to it.
        except (RestrictedWorkflowAccessError, Warning) as exc:
            return f"{type(exc).__name__}: {exc}"
        return "imported"


async def test_litellm_imported_in_a_workflow_task_is_the_workers_own(
        client: Client, task_queue: str, wf_settings: Settings) -> None:
    importlib.import_module("litellm")  # loaded by the worker's LLM calls in the case above
    async with build_worker(client, wf_settings, activities=[],
                            workflows=[ImportsWhatALogFilterImports]):
        result = await client.execute_workflow(
            ImportsWhatALogFilterImports.run, id=f"imports-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue, execution_timeout=timedelta(seconds=60))
    assert result == "imported"
