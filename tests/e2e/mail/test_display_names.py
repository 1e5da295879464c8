"""The report's mail is addressed as the user wrote it: display names and groups stay in
its ``To:`` header (the envelope holds the bare addresses), also for recipient lists an
old history carries."""

from __future__ import annotations

from contextlib import aclosing
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from durable_research.activities.email import EmailActivities
from durable_research.config import Settings
from durable_research.contract.report import SendEmailInput, report_message_key
from durable_research.testing.smtp_sink import SmtpSink
from tests.support.helpers import env_for
from tests.support.settings import mail_settings


async def sent_to(tmp_path: Path, to: str) -> tuple[str, list[str], list[str]]:
    """The To header the sink received, its envelope and the activity's recipients."""
    local = Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                     embedded="never")
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(local, sink.port))) as mailer:
            out = await env_for("report-to", "run-1").run(mailer.send_email, SendEmailInput(
                to=to, subject="report", message_key=report_message_key("report-to", "run-1")))
    assert out.sent
    (message,) = sink.messages
    parsed = message_from_bytes(message.content, policy=default_policy)
    return str(parsed["To"]), message.recipients, out.recipients


async def test_display_names_stay_in_the_to_header(tmp_path: Path) -> None:
    header, envelope, recipients = await sent_to(
        tmp_path, 'me@example.org, Boss <boss@example.org>, "Smith, Jürgen" <js@example.org>')
    # Was "me@example.org, boss@example.org, js@example.org".
    assert header == 'me@example.org, Boss <boss@example.org>, "Smith, Jürgen" <js@example.org>'
    assert envelope == ["me@example.org", "boss@example.org", "js@example.org"]
    assert recipients == ["me@example.org", "Boss <boss@example.org>",
                          '"Smith, Jürgen" <js@example.org>']


async def test_a_group_stays_a_group(tmp_path: Path) -> None:
    header, envelope, _ = await sent_to(tmp_path, "Team: a@example.org, B <b@example.org>;")
    assert header == "Team: a@example.org, B <b@example.org>;"
    assert envelope == ["a@example.org", "b@example.org"]


async def test_plain_addresses_of_an_old_history_are_sent_as_before(tmp_path: Path) -> None:
    header, envelope, recipients = await sent_to(tmp_path, "a@example.org,b@example.org")
    assert header == "a@example.org, b@example.org"
    assert envelope == recipients == ["a@example.org", "b@example.org"]
