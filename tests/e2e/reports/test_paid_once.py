"""Never paid twice, never mailed twice, nothing lost on a full disk (chaos bench findings).

The activities run for real (fake LLM over HTTP, SMTP sink, directory store); the attempts
that "died" are replayed with Temporal's ActivityEnvironment under the same run's identity.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import smtplib
import time
from contextlib import aclosing
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from durable_research.activities import procwork
from durable_research.activities.email import EmailActivities
from durable_research.activities.llm import LlmActivities
from durable_research.activities.mail_ledger import MailState
from durable_research.config import Settings
from durable_research.contract.keys import mail_ledger_name, run_key
from durable_research.contract.llm import LlmCallInput
from durable_research.contract.report import SendEmailInput, report_message_key
from durable_research.layout import write_report
from durable_research.mail.smtp import send_committing
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from durable_research.workflows import steps
from tests.support.helpers import env_for, run_report
from tests.support.settings import mail_settings


async def test_an_answer_paid_for_is_returned_again_not_bought_again(
    settings: Settings, fake_llm: FakeLLM
) -> None:
    activities = LlmActivities(settings)
    ask = LlmCallInput(prompt="what do tardigrades eat?", model=settings.llm_model)
    first = await env_for("report-a", "run-1").run(activities.llm_call, ask)
    # The attempt that got this answer died before reporting it; the retry (another
    # attempt, or the step scheduled again after a lost worker) runs the same call.
    again = await env_for("report-a", "run-1", attempt=2).run(activities.llm_call, ask)
    assert fake_llm.successes == 1
    assert (again.text, again.model, again.usage) == (first.text, first.model, first.usage)
    # Another run (even of the same workflow id) or another prompt is a new call.
    await env_for("report-a", "run-2").run(activities.llm_call, ask)
    await env_for("report-a", "run-1").run(
        activities.llm_call, dataclasses.replace(ask, prompt="and where do they live?"))
    assert fake_llm.successes == 3


async def test_a_mail_is_sent_once_per_run_and_again_for_a_new_run(settings: Settings) -> None:
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(settings, sink.port))) as mailer:

            def mail(run_id: str) -> SendEmailInput:
                return SendEmailInput(to="a@example.org", subject="report",
                                      message_key=report_message_key("report-b", run_id))

            out = await env_for("report-b", "run-1").run(mailer.send_email, mail("run-1"))
            retry = await env_for("report-b", "run-1", attempt=2).run(mailer.send_email,
                                                                      mail("run-1"))
            assert out.sent and retry.sent and len(sink.messages) == 1
            # `--id` re-used for a new report: its mail is a new mail, and really sent.
            second = await env_for("report-b", "run-2").run(mailer.send_email, mail("run-2"))
            assert second.sent and len(sink.messages) == 2
            assert second.message_id != out.message_id


async def test_no_mail_without_a_ledger(settings: Settings, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be")
    with SmtpSink() as sink:
        mailer = EmailActivities(mail_settings(settings, sink.port, store=str(blocked)))
        with pytest.raises(ApplicationError) as refused:  # before any connection
            await env_for("report-c", "run-1").run(mailer.send_email, SendEmailInput(
                to="a@example.org", message_key=report_message_key("report-c", "run-1")))
    assert refused.value.type == "LedgerNotWritable" and refused.value.non_retryable
    assert sink.messages == []  # refusing is better than delivering it six times


async def test_a_full_output_disk_waits_and_keeps_the_answer(
    client: Client, settings: Settings, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = write_report
    failures = {"left": 2}

    def full_disk(*args: Any, **kwargs: Any) -> Any:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(*args, **kwargs)

    # The render the PDF step runs (in a thread here: the tests' CPU pool is threads).
    monkeypatch.setattr(procwork, "write_report", full_disk)
    # steps is passed through the sandbox (worker.PASSTHROUGH_MODULES): the workflow sees it.
    monkeypatch.setattr(steps, "DISK_FULL_FIRST_WAIT", timedelta(seconds=1))
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="write it when there is room")
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert failures["left"] == 0 and fake_llm.successes == 1


def test_the_ledger_commits_before_the_final_dot() -> None:
    with SmtpSink() as sink:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "bot@example.org", "a@example.org", "report"
        msg.set_content("body\n.\nwith a dot line")
        seen: list[int] = []

        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
            # The whole message went out, the dot not yet: nothing is delivered.
            send_committing(smtp, msg, lambda: seen.append(len(sink.messages)))
        assert seen == [0] and len(sink.messages) == 1
        assert b"with a dot line" in sink.messages[0].content

        def refuse() -> None:
            raise RuntimeError("ledger not writable")

        smtp = smtplib.SMTP("127.0.0.1", sink.port, timeout=10)
        with pytest.raises(RuntimeError):
            send_committing(smtp, msg, refuse)
        smtp.close()  # without the final dot the server drops the message
        time.sleep(0.3)
        assert len(sink.messages) == 1


async def test_a_worker_that_died_before_the_dot_is_not_followed_by_a_second_mail(
    settings: Settings,
) -> None:
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(settings, sink.port))) as mailer:
            params = SendEmailInput(to="a@example.org",
                                    message_key=report_message_key("report-d", "run-1"))
            env = env_for("report-d", "run-1", attempt=2)
            # What a worker killed between its commit and the server's reply leaves behind.
            key = run_key("report-d", mail_ledger_name(params.message_key))
            mailer.store.put(key, json.dumps({"state": MailState.COMMITTING}).encode())
            out = await env.run(mailer.send_email, params)
    # Not sent again; and not reported as sent: nobody can know (test_mail_window.py).
    assert sink.messages == [] and not out.sent and out.uncertain
