"""GenerateReportWorkflow on the real dev server with the real litellm HTTP path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import docx
import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report, start
from tests.support.pdftools import pdf_file_text as pdf_text
from tests.support.settings import mail_settings


async def test_report_end_to_end(client: Client, settings: Settings, worker: Worker,
                                 fake_llm: FakeLLM) -> None:
    result = await run_report(client, settings, prompt="Why are tardigrades tough?")
    assert result.status == "completed"
    assert Path(result.pdf_path).is_file()
    assert Path(result.pdf_path).parent == Path(settings.output_dir)
    text = pdf_text(result.pdf_path)
    assert "FAKE-LLM answer to: Why are tardigrades tough?" in " ".join(text.split())
    assert "Research Report" in text
    assert result.model == "openai/fake-model"
    assert result.usage.completion_tokens > 0 and result.usage.prompt_tokens > 0
    assert not result.email.sent and "SMTP_HOST" in result.email.skipped_reason
    assert fake_llm.successes == 1


async def test_empty_prompt_uses_default(client: Client, settings: Settings, worker: Worker,
                                         fake_llm: FakeLLM) -> None:
    result = await run_report(client, settings, prompt="   ")
    assert fake_llm.successes_for(
        "Give me 5 fun and fascinating facts about tardigrades."
    ) == 1
    assert Path(result.pdf_path).name.startswith("give-me-5-fun-and-fascinating-")


async def test_all_formats(client: Client, settings: Settings, worker: Worker) -> None:
    result = await run_report(client, settings, prompt="formats",
                              formats=["pdf", "md", "html", "docx"])
    suffixes = sorted(Path(p).suffix for p in result.paths)
    assert suffixes == [".docx", ".html", ".md", ".pdf"]
    assert "FAKE-LLM answer to: formats" in Path(result.paths[1]).read_text() + Path(
        result.paths[2]
    ).read_text()
    word = docx.Document(result.paths[3])
    assert any("FAKE-LLM answer to: formats" in p.text for p in word.paragraphs)


async def test_server_errors_are_retried(client: Client, settings: Settings, worker: Worker,
                                         fake_llm: FakeLLM) -> None:
    fake_llm.script({"status": 500}, {"status": 503})
    result = await run_report(client, settings, prompt="flaky provider")
    assert result.status == "completed"
    assert fake_llm.calls == 3 and fake_llm.successes == 1


async def test_rate_limit_honours_retry_after(client: Client, settings: Settings,
                                              worker: Worker, fake_llm: FakeLLM) -> None:
    fake_llm.script({"status": 429, "retry_after": 3})
    handle = await start(client, settings, prompt="rate limited")
    result = await asyncio.wait_for(handle.result(), timeout=60)
    assert result.status == "completed"
    assert fake_llm.calls == 2
    # The retried attempt's start event records the failure it follows; that
    # failure carried the provider's Retry-After as the next retry delay.
    failures = []
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_started_event_attributes"):
            attrs = event.activity_task_started_event_attributes
            if attrs.attempt == 2:
                failures.append(attrs.last_failure)
    assert len(failures) == 1
    info = failures[0].application_failure_info
    assert info.type == "RateLimitError"
    assert not info.non_retryable
    assert info.next_retry_delay.seconds == 3


async def test_bad_key_fails_fast_without_retries(client: Client, settings: Settings,
                                                  worker: Worker, fake_llm: FakeLLM) -> None:
    fake_llm.script({"status": 401})
    with pytest.raises(WorkflowFailureError) as info:
        await run_report(client, settings, prompt="bad key")
    cause = info.value.cause
    assert isinstance(cause, ActivityError)
    app_err = cause.cause
    assert isinstance(app_err, ApplicationError)
    assert app_err.non_retryable
    assert "AuthenticationError" in str(app_err) and "401" in str(app_err)
    # The workflow has failed: no attempt can follow, so the count is final.
    assert fake_llm.calls == 1


async def test_email_sent_once_with_stable_message_id(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    with SmtpSink() as sink:
        mail = mail_settings(settings, sink.port, smtp_from="bot@example.org")
        async with build_worker(client, mail):
            result = await run_report(client, mail, prompt="mail me",
                                      email_to="a@example.org, b@example.org")
    assert result.email.sent and result.email.recipients == ["a@example.org", "b@example.org"]
    assert len(sink.messages) == 1
    received = sink.messages[0]
    assert received.recipients == ["a@example.org", "b@example.org"]
    assert received.message_id == result.email.message_id
    assert b"application/pdf" in received.content
