"""Report ids, their files, and mail addressing (issue 25, findings 4 and 8, and two Lows).

A key holder chooses workflow ids and, with a worker of its own that schedules activities
on the user's task queue, every field of an activity input. Each test is such an attack on
the real activities (Temporal's ActivityEnvironment with the identity a run would have),
the real directory store, the real layout and a real SMTP server on loopback. The attacks
that need a Temporal server are in test_rogue_client.py.
"""

from __future__ import annotations

from contextlib import aclosing
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.email import EmailActivities
from durable_research.activities.pdf import PdfActivities
from durable_research.addresses import DEFAULT_SENDER, mail_sender, parse_recipients
from durable_research.client import reports as rc
from durable_research.config import Settings, load_settings
from durable_research.contract.keys import run_key
from durable_research.contract.report import (
    CreatePdfInput,
    CreatePdfOutput,
    ReportContent,
    ReportInput,
    SendEmailInput,
    report_message_key,
)
from durable_research.errors import ConfigError, UserError
from durable_research.testing.smtp_sink import SmtpSink
from tests.support.helpers import env_for
from tests.support.settings import mail_settings


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    """A worker's settings with its own store and output root (no Temporal needed)."""
    return Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                    embedded="never")


def mail(run_id: str, **fields: Any) -> SendEmailInput:
    return SendEmailInput(to="a@example.org", subject="report",
                          message_key=report_message_key("report-evil", run_id), **fields)


async def refused(env_id: str, run_id: str, mailer: EmailActivities,
                  params: SendEmailInput) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        await env_for(env_id, run_id).run(mailer.send_email, params)
    assert info.value.non_retryable
    return info.value


async def write(settings: Settings, workflow_id: str, run_id: str, body: str,
                attempt: int = 1, fmt: str = "md") -> CreatePdfOutput:
    params = CreatePdfInput(content=ReportContent(question="q", body_markdown=body),
                            basename="rep", formats=[fmt])
    return await env_for(workflow_id, run_id, attempt=attempt).run(
        PdfActivities(settings).create_pdf, params)


# --- finding 4: another run's report in a mail ------------------------------------

async def test_an_id_that_sanitised_alike_cannot_attach_the_other_runs_report(
    local: Settings,
) -> None:
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(local, sink.port))) as mailer:
            theirs = run_key("a_b", "report/run-v/secret.pdf")
            mailer.store.put(theirs, b"%PDF- the victim's report")
            err = await refused("a b", "run-1", mailer, mail("run-1", attachment_key=theirs))
            assert err.type == "ForbiddenKey"
    assert sink.messages == []


async def test_attachment_path_is_honoured_only_for_this_runs_own_file(
    local: Settings,
) -> None:
    """The old ``attachment_path`` named any file under the output root: another run's."""
    victim = await write(local, "report-victim", "run-v", "the victim's findings", fmt="pdf")
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(local, sink.port))) as mailer:
            err = await refused("report-evil", "run-1", mailer,
                                mail("run-1", attachment_path=victim.paths[0]))
            assert err.type == "ForbiddenAttachment"
            assert sink.messages == []
            # The run's own file, as an old history passes it, is still attached.
            own = await write(local, "report-own", "run-o", "my findings", fmt="pdf")
            out = await env_for("report-own", "run-o").run(mailer.send_email, SendEmailInput(
                to="a@example.org", attachment_path=own.paths[0],
                message_key=report_message_key("report-own", "run-o")))
            assert out.sent
            (message,) = sink.messages
            parsed = message_from_bytes(message.content, policy=default_policy)
            (attached,) = parsed.iter_attachments()
            assert attached.get_content() == Path(own.paths[0]).read_bytes()


async def test_an_earlier_run_with_the_same_id_is_not_this_runs_report(local: Settings) -> None:
    """A re-used id (Temporal allows it once a run is closed) does not make the earlier
    run's report this run's attachment."""
    earlier = await write(local, "report-evil", "run-1", "the earlier run's report")
    with SmtpSink() as sink:
        async with aclosing(EmailActivities(mail_settings(local, sink.port))) as mailer:
            err = await refused("report-evil", "run-2", mailer,
                                mail("run-2", attachment_key=earlier.keys[0]))
            assert err.type == "ForbiddenAttachment"
    assert sink.messages == []


async def test_the_client_refuses_ids_a_report_cannot_have() -> None:
    """``/`` makes an id a child of another report (``<report>/q1``): never a root's."""

    class NoServer:
        started: list[str] = []

        async def start_workflow(self, *args: Any, id: str, **kwargs: Any) -> None:  # noqa: A002 - Client.start_workflow's name
            self.started.append(id)

    for bad in ("report-victim/x", "", "Report 1", "a" * 201):
        with pytest.raises(UserError):
            await rc.start_report(NoServer(), Settings(), ReportInput(), bad)  # type: ignore[arg-type]  # a stand-in Client
    assert NoServer.started == []


# --- finding 8: a re-used --id -----------------------------------------------------

async def test_a_reused_id_never_overwrites_the_earlier_runs_report(local: Settings) -> None:
    """A retried PDF step of a new run with the same --id took the earlier run's file
    name for its own and overwrote that report, on disk and in the store."""
    first = await write(local, "report-same", "run-1", "first report")
    path, key = Path(first.paths[0]), first.keys[0]
    before = path.read_bytes()
    # The new run's PDF step: its first attempt died, the retry runs.
    second = await write(local, "report-same", "run-2", "second report", attempt=2)
    assert path.read_bytes() == before and b"first report" in before
    assert EmailActivities(local).store.get(key) == before
    assert second.paths[0] != first.paths[0] and second.keys[0] != key
    assert b"second report" in Path(second.paths[0]).read_bytes()
    # Its own retry still rewrites its own files (no third set).
    again = await write(local, "report-same", "run-2", "second, again", attempt=3)
    assert again.paths == second.paths and again.keys == second.keys


# --- Lows: the sender and the recipients -------------------------------------------

@pytest.mark.parametrize(("user", "sender", "expected"), [
    ("apikey", "", DEFAULT_SENDER),  # a login name is not an address
    ("", "", DEFAULT_SENDER),
    ("me@example.org", "", "me@example.org"),
    ("apikey", "Research Bot <bot@example.org>", "bot@example.org"),
])
def test_from_is_always_an_address(user: str, sender: str, expected: str) -> None:
    """``From:`` was SMTP_USER whatever it was: ``From: apikey`` (SendGrid's login)."""
    msg = EmailMessage(policy=default_policy)
    msg["From"] = mail_sender(sender, user)
    (address,) = msg["From"].addresses
    assert isinstance(address, Address) and address.addr_spec == expected
    assert not msg["From"].defects


@pytest.mark.parametrize("raw", ["apikey", "a@x.org, b@y.org", "bot@exa mple.com",
                                 "bot@x.org\tBcc: c@z.org"])
def test_smtp_from_is_one_address_checked_at_load(raw: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SMTP_FROM"):
        load_settings({"SMTP_FROM": raw}, env_file=tmp_path / "none.env")
    ok = load_settings({"SMTP_FROM": "Research Bot <bot@example.org>"},
                       env_file=tmp_path / "none.env")
    assert ok.smtp_from == "Research Bot <bot@example.org>"
    # A sender at a local host name (the bench's, the default sender's) is one address too.
    assert load_settings({"SMTP_FROM": "bench@localhost"},
                         env_file=tmp_path / "none.env").smtp_from == "bench@localhost"


@pytest.mark.parametrize("raw", [
    "bob@exa mple.com",  # was joined into bob@example.com
    "a@x.org\tBcc: c@z.org",  # was split into a@x.orgBcc and c@z.org
    "a@x.org Bcc: c@z.org", "bob @example.com", "a@x.org;b@y.org", "a@x.org\x0bc@z.org",
    '"a b"@x.org', "b\u00fccher@x.org", "a@x.org\u202e", "a@x.org (note) b@y.org",
])
def test_recipients_with_whitespace_or_control_characters_are_refused(raw: str) -> None:
    with pytest.raises(UserError) as info:
        parse_recipients(raw)
    assert "e-mail address" in info.value.message.lower()


def test_recipient_lists_that_are_fine() -> None:
    assert parse_recipients(' a@x.org , "Smith, Bob" <b@y.org>,') == ["a@x.org", "b@y.org"]
    assert parse_recipients("Team: a@x.org, b@y.org;") == ["a@x.org", "b@y.org"]
    assert parse_recipients("") == [] and parse_recipients("  ") == []
