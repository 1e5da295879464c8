"""The Temporal worker: hosts the report workflows and their activities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from durable_research.activities.checking import CheckingActivities
from durable_research.activities.email import EmailActivities
from durable_research.activities.llm import LlmActivities
from durable_research.activities.pdf import PdfActivities
from durable_research.activities.research import ResearchActivities
from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.workflows.report import GenerateReportWorkflow
from durable_research.workflows.subquestion import ResearchQuestionWorkflow


def default_activities(settings: Settings) -> dict[str, Callable[..., Any]]:
    """Every activity of the report workflows by name, bound to the worker's settings."""
    research = ResearchActivities(settings)
    writing = WritingActivities(settings)
    return {
        "llm_call": LlmActivities(settings).llm_call,
        "create_pdf": PdfActivities(settings).create_pdf,
        "send_email": EmailActivities(settings).send_email,
        "research_sources": research.research_sources,
        "search": research.search,
        "fetch_page": research.fetch_page,
        "take_notes": writing.take_notes,
        "write_section": writing.write_section,
        "read_text": writing.read_text_activity,
        "check_citations": CheckingActivities(settings).check_citations,
    }


def build_worker(
    client: Client,
    settings: Settings,
    task_queue: str | None = None,
    activities: Sequence[Callable[..., Any]] | None = None,
    interceptors: Sequence[Interceptor] = (),
    max_concurrent_activities: int = 20,
) -> Worker:
    """Create a worker for the report workflow and its activities.

    Args:
        client: A connected Temporal client.
        settings: Worker-side settings (LLM key, SMTP, output dir).
        task_queue: Overrides ``settings.task_queue``.
        activities: Replaces the default activity callables (tests use this).
        interceptors: Worker interceptors (e.g. tracing).
        max_concurrent_activities: How many activities run at once in this process.

    Returns:
        The worker, not yet running.
    """
    if activities is None:
        activities = list(default_activities(settings).values())
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=[GenerateReportWorkflow, ResearchQuestionWorkflow],
        activities=list(activities),
        # Blocking work (PDF layout, SMTP) runs in threads; this pool also serves
        # any synchronous activity added later.
        activity_executor=ThreadPoolExecutor(max_workers=max_concurrent_activities),
        max_concurrent_activities=max_concurrent_activities,
        interceptors=list(interceptors),
        # A killed worker's sticky queue is abandoned after 1 s instead of 5 s.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        graceful_shutdown_timeout=timedelta(seconds=5),
    )
