"""Helpers for workflow tests: start reports, wait on history events."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment

from durable_research import client as rc
from durable_research.config import Settings
from durable_research.contract.report import ReportInput, ReportResult


async def start(client: Client, settings: Settings, **fields: object
                ) -> WorkflowHandle[Any, ReportResult]:
    """Start a report with ``ReportInput(**fields)`` on the test's task queue."""
    fields = {"output_dir": settings.output_dir, **fields}
    params = ReportInput(**fields)  # type: ignore[arg-type]  # the caller's keyword fields
    return await rc.start_report(client, settings, params)


async def run_report(client: Client, settings: Settings, **fields: object) -> ReportResult:
    """Start a report and wait for its result."""
    handle = await start(client, settings, **fields)
    return await asyncio.wait_for(handle.result(), timeout=120)


async def completed_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """Names of activities that completed, in order, from the workflow history."""
    scheduled: dict[int, str] = {}
    done: list[str] = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attrs.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attrs2 = event.activity_task_completed_event_attributes
            done.append(scheduled[attrs2.scheduled_event_id])
    return done


async def wait_for_completed_activity(
    handle: WorkflowHandle[Any, Any], name: str, timeout: float = 60
) -> None:
    """Wait until the history shows activity ``name`` completed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if name in await completed_activities(handle):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"activity {name} did not complete within {timeout} s")


async def wait_for_step(handle: WorkflowHandle[Any, Any], step: str, timeout: float = 60) -> None:
    """Wait until the workflow's status query reports ``step``."""
    from durable_research.workflows.report import GenerateReportWorkflow

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = (await handle.query(GenerateReportWorkflow.status)).step
            if last == step:
                return
        except Exception:  # noqa: BLE001 - no worker yet or workflow task pending
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError(f"step {step!r} not reached within {timeout} s (last {last!r})")


def env_for(workflow_id: str, run_id: str = "run-1", attempt: int = 1,
            retry_policy: RetryPolicy | None = None) -> ActivityEnvironment:
    """An activity environment as one attempt of a workflow's activity would see it."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=workflow_id, workflow_run_id=run_id,
                                   attempt=attempt, retry_policy=retry_policy)
    return env


def close_sync_llm_clients() -> int:
    """Close and forget litellm's cached *sync* clients (the embedder's); returns how many.

    litellm keeps one keep-alive client per provider set-up; the async ones are closed by
    ``llm.clients`` when their loop's last user ends, the sync ones (``litellm.embedding``
    in a thread) live until the process exits. A test whose fake LLM stops calls this, or
    their sockets are reported unclosed when the process exits.
    """
    import inspect
    import sys

    litellm = sys.modules.get("litellm")
    if litellm is None:
        return 0
    cache = litellm.in_memory_llm_clients_cache
    closed = 0
    for key, client in list(cache.cache_dict.items()):
        close = getattr(client, "close", None)
        if close is None or inspect.iscoroutinefunction(close):
            continue
        cache.cache_dict.pop(key, None)
        cache.ttl_dict.pop(key, None)
        close()
        closed += 1
    return closed
