"""Bad-input battery: each case ends in a clear result or error, the worker survives."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pypdf import PdfReader
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, FailureError, RetryState
from temporalio.worker import Worker

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report
from tests.support.pdftools import pdf_file_text as pdf_text
from tests.support.settings import mail_settings, with_settings

HOSTILE_REPLY = (
    "# <para>Title & </b> co\n\n"
    "Text with <font size=99>tags</font>, &amp; entities &#0; and ]]> <![CDATA[ x.\n\n"
    "```html\n<script>alert(1)</script>\n```\n\n"
    "| a | <b> |\n|---|---|\n| & | **x |\n\n"
    "Control: \x01\x07\x1b[31m red \x7f end."
)


def activity_cause(error: WorkflowFailureError) -> BaseException | None:
    """The cause of the workflow failure's cause (the activity's own error)."""
    outer = error.cause
    assert isinstance(outer, FailureError), repr(outer)
    return outer.cause


async def test_control_characters_in_prompt(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    prompt = "Tardigrades\x00?\x1b[31m\tvs\r\nBcc: evil@example.org \u202e reversed"
    result = await run_report(client, settings, prompt=prompt)
    assert result.status == "completed"
    assert len(PdfReader(result.pdf_path).pages) >= 1
    assert "/" not in Path(result.pdf_path).name.removesuffix(".pdf")


async def test_markup_in_llm_output_renders_literally(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    fake_llm.configure(reply=HOSTILE_REPLY)
    result = await run_report(client, settings, prompt="hostile", formats=["pdf", "html"])
    text = " ".join(pdf_text(result.pdf_path).split())
    assert "<para>Title &" in text and "<script>alert(1)</script>" in text
    html = Path(result.paths[1]).read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


async def test_model_outside_the_allow_list_is_refused(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    """A client may not pick the model (and so where the worker's key goes)."""
    for model in ("openai/unknown-xyz", "ollama_chat/x"):
        with pytest.raises(WorkflowFailureError) as info:
            await run_report(client, settings, prompt="forged model", model=model)
        message = str(activity_cause(info.value))
        assert "ModelNotAllowed" in message and model in message
    assert fake_llm.calls == 0


async def test_unknown_model_fails_fast(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    allowing = with_settings(settings, llm_allowed_models="openai/unknown-xyz")
    async with build_worker(client, allowing):
        with pytest.raises(WorkflowFailureError) as info:
            await run_report(client, allowing, prompt="unknown model",
                             model="openai/unknown-xyz")
    message = str(activity_cause(info.value))
    assert "NotFoundError" in message and "unknown-xyz" in message
    # Not retried: the error is classified non-retryable. (Not "exactly one call": on a
    # loaded box an attempt can time out on its heartbeat after the call, and the retry of
    # a timed-out attempt is right; seen once at load 8.)
    outer = info.value.cause
    assert isinstance(outer, ActivityError)
    assert outer.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert fake_llm.calls >= 1


async def test_invalid_email_keeps_the_report(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    mail = mail_settings(settings, free_port())
    async with build_worker(client, mail):
        result = await run_report(client, mail, prompt="bad address",
                                  email_to="victim@example.org\r\nBcc: all@example.org")
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert not result.email.sent and "line break" in result.email.skipped_reason


async def test_header_injection_in_question_cannot_add_recipients(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    with SmtpSink() as sink:
        mail = mail_settings(settings, sink.port)
        async with build_worker(client, mail):
            result = await run_report(client, mail, email_to="me@example.org",
                                      prompt="Hi\r\nBcc: evil@example.org\r\nX-Evil: 1")
    assert result.email.sent
    assert [m.recipients for m in sink.messages] == [["me@example.org"]]
    headers = sink.messages[0].headers
    assert b"\r\nBcc:" not in headers and b"\r\nX-Evil:" not in headers


async def test_refused_recipient_keeps_the_report(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    with SmtpSink(refuse_recipients=True) as sink:
        mail = mail_settings(settings, sink.port)
        async with build_worker(client, mail):
            result = await asyncio.wait_for(
                run_report(client, mail, prompt="refused", email_to="gone@example.org"), 60
            )
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert "e-mail failed" in result.email.skipped_reason
    assert "refused the recipients" in result.email.skipped_reason


async def test_worker_survives_the_battery(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    fake_llm.script({"status": 401})
    with pytest.raises(WorkflowFailureError):
        await run_report(client, settings, prompt="wrong key")
    fake_llm.configure(reply=HOSTILE_REPLY)
    await run_report(client, settings, prompt="\x00\x01")
    fake_llm.configure(reply="# Fine\n\nStill working.")
    result = await run_report(client, settings, prompt="after the battery")
    assert "Still working." in pdf_text(result.pdf_path)


async def test_huge_answer_goes_to_the_store_and_is_paid_once(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM
) -> None:
    """An answer too large for a Temporal payload is kept whole, not retried and lost."""
    paragraph = "Tardigrades are tiny and tough. " * 40
    body = "\n\n".join(f"## Part {i}\n\n{paragraph}" for i in range(250)) + "\n\nTHE END."
    fake_llm.configure(reply=body)
    result = await run_report(client, settings, prompt="huge", formats=["md"])
    assert result.status == "completed" and fake_llm.calls == 1
    md = Path(result.paths[0]).read_text()
    assert "THE END." in md and "## Part 249" in md
