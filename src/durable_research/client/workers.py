"""Is any worker there? (Review and budget Updates fail fast instead of hanging.)"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from temporalio.client import Client
from temporalio.service import RPCError

from durable_research.config import Settings
from durable_research.contract.report import check_task_queue
from durable_research.errors import NoWorkerError

# A poller the server saw this recently counts as a running worker (a long poll lasts
# up to 60 s; the server lists pollers seen in the last minutes).
RECENT_POLL_S = 75.0


def workers_here(settings: Settings) -> bool:
    """Whether the worker of a report started now runs with this machine's settings: the
    embedded server is the server, running or started when the command connects (nothing
    answers at the local address). Its worker is the supervised one, whose security
    settings (SMTP_* among them) every command shares, or one in the command's process.

    False for a cluster or another local server: their workers are whoever's.
    """
    from durable_research.embedded import devserver, local_worker

    address = settings.temporal_address
    if settings.embedded != "auto" or not devserver.is_local(address):
        return False
    return local_worker.embedded_mode(settings) or not devserver.port_open(
        *devserver.split_address(address))


def with_task_queue(settings: Settings, task_queue: str | None,
                    what: str = "--task-queue") -> Settings:
    """``settings`` polling the task queue a front end was given (None: the configured one).

    Raises:
        UserError: A blank or malformed name (``contract.report.check_task_queue``).
    """
    if task_queue is None:
        return settings
    return replace(settings, task_queue=check_task_queue(task_queue, what))


async def workers_polling(client: Client, task_queue: str, activities: bool = False) -> int:
    """How many workers poll ``task_queue`` right now (for workflow or activity tasks)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    resp = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY if activities
            else TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        timeout=timedelta(seconds=5),
    )
    now = time.time()
    return sum(1 for p in resp.pollers if now - p.last_access_time.ToSeconds() < RECENT_POLL_S)


async def require_worker(client: Client, workflow_id: str, queue: str = "") -> None:
    """Refuse at once, instead of hanging, when no worker could handle an Update.

    Args:
        queue: The workflow's task queue when the caller knows it (else described here).

    Raises:
        NoWorkerError: No worker polls the workflow's task queue.
    """
    try:
        if not queue:
            desc = await client.get_workflow_handle(workflow_id).describe()
            queue = desc.raw_description.execution_config.task_queue.name
        polling = await workers_polling(client, queue)
    except RPCError:
        return  # the Update itself will report what is wrong
    if not polling:
        raise NoWorkerError(
            f"No worker is running for task queue {queue!r}, so report {workflow_id} cannot "
            "act on this now",
            "start one with `research worker` (or `research result ID`, which hosts one)",
        )
