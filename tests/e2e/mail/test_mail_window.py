"""No mail is lost in the window between the ledger's commit and the server's reply.

The chaos bench lost 2 mails of 200 (issue 25): a report said its mail was sent, the SMTP
server never got it. The window: an attempt wrote "committing" (the whole message out, the
final dot going) and a second attempt of the same send, started while the first was still
in it (its worker presumed dead during a server outage), read "committing" and reported the
mail sent; then the first one's connection dropped before the server answered. Each test
aims a fault exactly there, with the real activity, store and SMTP server.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import aclosing

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.email import EmailActivities
from durable_research.activities.mail_ledger import MailState
from durable_research.config import Settings
from durable_research.contract.keys import mail_ledger_name, run_key
from durable_research.contract.report import SendEmailInput, report_message_key
from durable_research.testing.smtp_sink import SmtpSink
from tests.support.helpers import env_for
from tests.support.settings import mail_settings

PARAMS = SendEmailInput(to="a@example.org", message_key=report_message_key("report-w", "run-1"))


def put_entry(mailer: EmailActivities, state: MailState, age_s: float) -> None:
    """A ledger entry as an attempt that wrote it ``age_s`` seconds ago left it."""
    key = run_key("report-w", mail_ledger_name(PARAMS.message_key))
    entry = {"state": str(state), "at": time.time() - age_s, "message_id": "", "to": []}
    mailer.store.put(key, json.dumps(entry).encode())


async def test_a_mail_in_flight_on_another_attempt_is_neither_reported_sent_nor_lost(
    settings: Settings,
) -> None:
    with SmtpSink(drop_first=1, hold_data=True) as sink:
        async with aclosing(EmailActivities(mail_settings(settings, sink.port))) as mailer:
            first = asyncio.create_task(env_for("report-w", "run-1", attempt=1).run(
                mailer.send_email, PARAMS))
            # The first attempt's message is complete at the server, unanswered: "committing".
            assert await asyncio.to_thread(sink.holding.wait, 30)
            with pytest.raises(ApplicationError) as waiting:
                await env_for("report-w", "run-1", attempt=2).run(mailer.send_email, PARAMS)
            assert waiting.value.type == "MailInFlight" and not waiting.value.non_retryable
            assert waiting.value.next_retry_delay is not None
            sink.release.set()  # the server drops the first attempt's connection: not delivered
            with pytest.raises(ApplicationError):
                await first
            out = await env_for("report-w", "run-1", attempt=3).run(mailer.send_email, PARAMS)
    assert out.sent and [m.message_id for m in sink.messages] == [out.message_id]


async def test_a_worker_that_died_after_its_commit_leaves_the_delivery_unknown(
    settings: Settings,
) -> None:
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(settings, sink.port))) as mailer:
            put_entry(mailer, MailState.COMMITTING, age_s=3600)
            out = await env_for("report-w", "run-1", attempt=2).run(mailer.send_email, PARAMS)
    # Not sent again (it may have been delivered), and not reported as sent either.
    assert sink.messages == []
    assert not out.sent and out.uncertain and out.message_id
    assert "may or may not have been delivered" in out.skipped_reason


async def test_a_worker_that_died_mid_message_is_followed_by_one_delivery(
    settings: Settings,
) -> None:
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(settings, sink.port))) as mailer:
            put_entry(mailer, MailState.SENDING, age_s=3600)  # no dot sent: nothing delivered
            out = await env_for("report-w", "run-1", attempt=2).run(mailer.send_email, PARAMS)
            assert out.sent and len(sink.messages) == 1
            again = await env_for("report-w", "run-1", attempt=3).run(mailer.send_email, PARAMS)
    assert again.sent and len(sink.messages) == 1
