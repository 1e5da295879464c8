"""A mail server's permanent refusal (5xx) ends the e-mail step at once, said in the result.

Retrying a 5xx is pointless (RFC 5321: "permanent negative completion"); the step was
retried six times over 2.5 minutes, the report showing "e-mail" all along.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.client import Client

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.smtp_sink import SmtpSink
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report
from tests.support.settings import mail_settings


async def test_message_refused_for_good_is_not_sent_again(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    with SmtpSink(reject_data="554 5.7.1 message refused by policy") as sink:
        mail = mail_settings(settings, sink.port)
        async with build_worker(client, mail):
            # Well under the first retry's backoff sum: a retried send would not end here.
            result = await asyncio.wait_for(
                run_report(client, mail, prompt="refused mail", email_to="me@example.org"), 60)
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert sink.rejected == 1 and sink.messages == []
    assert not result.email.sent
    assert "e-mail failed" in result.email.skipped_reason
    assert "554" in result.email.skipped_reason
    assert "message refused by policy" in result.email.skipped_reason
