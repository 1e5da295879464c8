"""An SMTP server that drops the connection mid-DATA: the mail is retried, delivered once."""

from __future__ import annotations

from temporalio.client import Client

from durable_research.config import Settings
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report
from tests.support.settings import mail_settings


async def test_mail_dropped_mid_data_is_retried_and_delivered_once(
    client: Client, settings: Settings
) -> None:
    with SmtpSink(drop_first=1) as sink:
        mail = mail_settings(settings, sink.port, smtp_from="bot@example.org")
        async with build_worker(client, mail):
            result = await run_report(client, mail, prompt="mail me despite the cut",
                                      email_to="reader@example.org")
    # The first connection was cut before the server answered DATA; nothing arrived then.
    assert sink.dropped == 1
    assert result.status == "completed"
    assert result.email.sent, result.email.skipped_reason
    assert [m.message_id for m in sink.messages] == [result.email.message_id]
    assert sink.messages[0].recipients == ["reader@example.org"]
