"""The report workflow's own logic: steps, review, failures, mail, cancellation."""

from __future__ import annotations

import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from durable_research.shared import (
    CreatePdfInput,
    LlmCallInput,
    ReportInput,
    ReportResult,
    SendEmailInput,
    report_message_key,
)
from durable_research.workflows.report import GenerateReportWorkflow

from .conftest import WorkerFactory
from .mocks import MODEL, MockActivities, count, patches, scheduled_activities


async def start(client: Client, task_queue: str, **fields: object
                ) -> WorkflowHandle[GenerateReportWorkflow, ReportResult]:
    """Start a report with ``ReportInput(**fields)`` under a fresh report id."""
    params = ReportInput(**fields)  # type: ignore[arg-type]
    return await client.start_workflow(
        GenerateReportWorkflow.run, params, id=f"report-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue)


async def test_quick_report_runs_llm_pdf_mail_in_order(
    client: Client, task_queue: str, start_worker: WorkerFactory
) -> None:
    mocks = MockActivities()
    async with start_worker(mocks.activities()):
        handle = await start(client, task_queue, prompt="  Why is the sky blue?  ",
                             email_to="reader@example.org", formats=["pdf", "md"])
        result = await handle.result()
        status = await handle.query(GenerateReportWorkflow.status)
    assert mocks.names() == ["llm_call", "create_pdf", "send_email"]
    (llm,) = mocks.inputs("llm_call", LlmCallInput)
    assert llm.prompt == "Why is the sky blue?" and not llm.answer_schema
    (pdf,) = mocks.inputs("create_pdf", CreatePdfInput)
    assert pdf.content.question == "Why is the sky blue?"
    assert pdf.content.body_markdown == "ANSWER to: Why is the sky blue?"
    assert pdf.basename.startswith("why-is-the-sky-blue-") and pdf.formats == ["pdf", "md"]
    (mail,) = mocks.inputs("send_email", SendEmailInput)
    assert mail.to == "reader@example.org" and mail.attachment_key == result.keys[0]
    assert mail.attachment_path == ""
    assert mail.message_key == report_message_key(handle.id, handle.result_run_id or "")
    assert result.status == "completed" and result.model == MODEL
    assert result.pdf_path.endswith(".pdf") and len(result.paths) == 2
    assert result.store == "mock-store" and result.email.sent and result.note == ""
    assert result.usage.total_tokens == 30 and result.references == []
    steps = [line.split(" ", 1)[1] for line in status.history if " step: " in line]
    assert steps == ["step: researching", "step: writing report", "step: sending e-mail",
                     "step: completed"]
    assert status.result == result
    assert await scheduled_activities(handle) == ["llm_call", "create_pdf", "send_email"]
    # A quick report takes no research branch and records no patch marker.
    assert await patches(handle) == []
    assert await count(handle, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) == 1
