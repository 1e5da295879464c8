"""The ``send_email`` activity: mail the finished report over SMTP.

Sending is at-least-once in Temporal; to keep a retried send from mailing twice,
every message has a Message-ID derived from the run, and a small ledger in the
run's part of the artifact store records which keys were already delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.mail_ledger import (
    LEASE_REFRESH_S,
    LEASE_S,
    Lease,
    MailState,
    read_entry,
)
from durable_research.activities.paths import confined_dir
from durable_research.activities.pools import in_io
from durable_research.activities.smtp_pool import SmtpPool
from durable_research.activities.storage import WithStore
from durable_research.addresses import (
    check_recipients,
    mail_sender,
    parse_recipients,
    written_recipients,
)
from durable_research.contract.keys import (
    legacy_report_name,
    mail_ledger_name,
    report_name,
    written_name,
)
from durable_research.contract.report import SendEmailInput, SendEmailOutput
from durable_research.errors import FORBIDDEN_ATTACHMENT, FailureType, UserError
from durable_research.mail.smtp import SmtpInsecureError, open_smtp

_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def message_id(key: str) -> str:
    """A stable RFC 5322 Message-ID for ``key`` (the workflow id)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@durable-research>"


def _forbidden(what: str) -> ApplicationError:
    return ApplicationError(f"Refused to attach {what[:120]!r}: it is not this run's report",
                            type=FORBIDDEN_ATTACHMENT, non_retryable=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


class EmailActivities(WithStore):
    """Sends reports with the worker's SMTP settings."""

    async def _attachment(self, params: SendEmailInput) -> tuple[str, bytes] | None:
        """The report to attach: this run's own PDF, never another run's, never any path.

        Raises:
            ApplicationError: Non-retryable ``ForbiddenAttachment`` (or ``ForbiddenKey``,
                a key outside this run's folder): the input names a file that is not
                this run's report (a key holder's forged input).
        """
        run = activity.info().workflow_run_id or ""
        if params.attachment_key:
            key = self.check_readable(params.attachment_key)
            if not self._own_report_key(key, run):
                raise _forbidden(key)
            data = await self.in_store(self.store.get, key)
            return key.rsplit("/", 1)[-1], data
        if not params.attachment_path:
            return None
        # Only histories from before the store pass a path (their create_pdf returned no
        # keys); honoured only for a file this run's create_pdf recorded as its own.
        root = self.settings.output_path
        path = confined_dir(root, params.attachment_path)
        written = await self.load_json(self.my_key(written_name(run)))
        own = written.get("paths", []) if isinstance(written, dict) else []
        if path.suffix != ".pdf" or path not in {confined_dir(root, str(p)) for p in own}:
            raise _forbidden(params.attachment_path)
        if not path.is_file():
            raise ApplicationError(
                f"Report file to attach is missing: {path}", type=FailureType.MISSING_ATTACHMENT
            )
        return path.name, path.read_bytes()

    def _own_report_key(self, key: str, run: str) -> bool:
        """Whether ``key`` is a PDF of this run's report: ``report/<this run>/<file>``, or
        ``report/<file>`` as versions before run ids in the key wrote it (a run in flight
        during the upgrade; such a key is bound to the workflow id only)."""
        own = self.my_key(report_name(run, "x")).removesuffix("x")
        legacy = self.my_key(legacy_report_name("x")).removesuffix("x")
        return key.endswith(".pdf") and any(
            key.startswith(folder) and "/" not in key[len(folder):] for folder in (own, legacy))

    def _build(
        self, params: SendEmailInput, to: list[str], attachment: tuple[str, bytes] | None
    ) -> EmailMessage:
        settings = self.settings
        msg = EmailMessage()
        msg["From"] = mail_sender(settings.smtp_from, settings.smtp_user)
        msg["To"] = ", ".join(to)
        msg["Subject"] = _one_line(params.subject) or "Research report"
        msg["Message-ID"] = message_id(params.message_key or params.subject)
        msg["Date"] = formatdate(localtime=False)
        msg.set_content(params.body or "Your research report is attached.")
        if attachment is not None:
            name, data = attachment
            if len(data) > _MAX_ATTACHMENT_BYTES:
                msg.add_attachment(f"The report is too large to attach; it is {name}.")
            else:
                msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        return msg

    _pool: SmtpPool | None = None

    @property
    def smtp_pool(self) -> SmtpPool:
        """The worker's SMTP connections (made on the event loop: no race between threads)."""
        if self._pool is None:
            settings = self.settings
            self._pool = SmtpPool(lambda: open_smtp(settings, timeout=60))
        return self._pool

    async def aclose(self) -> None:
        """Close the idle SMTP connections (QUIT waits on the server: in a thread)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)

    @activity.defn(name="send_email")
    async def send_email(self, params: SendEmailInput) -> SendEmailOutput:
        """Send the report, or say why it was skipped. Never sends one key twice."""
        settings = self.settings
        try:
            to = params.to or settings.email_to
            recipients = parse_recipients(to)
            # The To header keeps the display names the user wrote (the envelope, the
            # policy and the ledger take the bare addresses).
            written = written_recipients(to)
        except UserError as exc:
            raise ApplicationError(exc.message,
                                   type=FailureType.INVALID_ADDRESS, non_retryable=True) from exc
        try:
            check_recipients(recipients, settings.email_allowed)
        except UserError as exc:
            raise ApplicationError(exc.message, type=FailureType.RECIPIENT_NOT_ALLOWED,
                                   non_retryable=True) from exc
        if not settings.smtp_configured:
            return SendEmailOutput(skipped_reason="e-mail not sent: SMTP_HOST is not set")
        if not recipients:
            return SendEmailOutput(skipped_reason="e-mail not sent: no recipient (EMAIL_TO)")
        msg = self._build(params, written, await self._attachment(params))
        ledger = self.my_key(mail_ledger_name(params.message_key or str(msg["Message-ID"])))
        done = SendEmailOutput(sent=True, message_id=str(msg["Message-ID"]), recipients=written)
        # The ledger's reads and writes run off the event loop: a blocked loop delays every
        # other activity of the worker and its heartbeats.
        entry = await in_io(read_entry, self.store, ledger)
        if entry.state is MailState.SENT:
            return done  # a previous attempt delivered it and then lost its completion
        if entry.state is not MailState.NONE and entry.fresh():
            # Another attempt is sending it right now (its worker was presumed dead, but
            # its connection is still open): it may deliver or fail. Ask again after it.
            raise ApplicationError(
                "another attempt is sending this e-mail; checking again when it is done",
                type=FailureType.MAIL_IN_FLIGHT,
                next_retry_delay=timedelta(seconds=LEASE_S - (time.time() - entry.at) + 1))
        if entry.state is MailState.COMMITTING:
            # An attempt died after the whole message went out, before the server's reply:
            # it may be in the reader's inbox. Not sent again (no duplicate) and not
            # reported as sent (it may be lost): the reader is told.
            return SendEmailOutput(
                sent=False, uncertain=True, message_id=done.message_id, recipients=written,
                skipped_reason=f"e-mail may or may not have been delivered to "
                f"{', '.join(written)}: the attempt sending it stopped after the whole "
                f"message had gone out, before the mail server confirmed it (Message-ID "
                f"{done.message_id}); not sent again, so that it is not delivered twice")
        lease = Lease(self.store, ledger, msg, recipients)
        # Written before sending: a ledger that cannot be written would otherwise let
        # every retry deliver the same mail again.
        await in_io(lease.write, MailState.SENDING)

        def commit() -> None:  # raising here aborts the send before the final dot
            lease.write(MailState.COMMITTING)

        def record_sent() -> None:
            try:
                lease.write(MailState.SENT)
            except ApplicationError as exc:  # delivered: say so; only the resend guard is lost
                activity.logger.warning("mail sent but not recorded: %s", exc)

        async def keep_fresh() -> None:
            while True:
                await asyncio.sleep(LEASE_REFRESH_S)
                with contextlib.suppress(ApplicationError):  # a missed refresh: the next one
                    await in_io(lease.refresh)

        refresher = asyncio.create_task(keep_fresh())
        try:
            try:
                await with_heartbeats(in_io(self.smtp_pool.send, msg, commit, record_sent),
                                      detail="sending e-mail")
            except (OSError, smtplib.SMTPException):
                # This worker saw the server fail or refuse: nothing was confirmed, so a
                # retry may send again at once (only a worker that died keeps "committing").
                refresher.cancel()
                with contextlib.suppress(ApplicationError):
                    await in_io(lease.release)
                raise
            finally:
                refresher.cancel()
        except smtplib.SMTPAuthenticationError as exc:
            raise ApplicationError(
                f"SMTP login failed for {settings.smtp_user!r}: {exc.smtp_error!r}",
                type=FailureType.SMTP_AUTHENTICATION_ERROR,
                non_retryable=True,
            ) from exc
        except SmtpInsecureError as exc:
            raise ApplicationError(str(exc),
                                   type=FailureType.SMTP_INSECURE, non_retryable=True) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise ApplicationError(
                f"SMTP server refused the recipients: {sorted(exc.recipients)}",
                type=FailureType.SMTP_RECIPIENTS_REFUSED,
                non_retryable=True,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if not _permanent(exc.smtp_code):  # 4xx: the server may take it later
                raise ApplicationError(f"Could not send e-mail via {settings.smtp_host}: "
                                       f"{_reply(exc)}", type=type(exc).__name__) from exc
            # RFC 5321's "permanent negative completion": the same mail gets the same
            # answer on every retry (six over 2.5 minutes, the report showing "e-mail").
            raise ApplicationError(
                f"the mail server {settings.smtp_host} refused the mail: {_reply(exc)}",
                type=FailureType.SMTP_REFUSED, non_retryable=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ApplicationError(
                f"Could not send e-mail via {settings.smtp_host}: {exc}", type=type(exc).__name__
            ) from exc
        return done


def _permanent(code: int) -> bool:
    """Whether an SMTP reply code is a permanent refusal (5xx)."""
    return 500 <= code < 600


def _reply(exc: smtplib.SMTPResponseException) -> str:
    """The server's reply as it wrote it ("554 5.7.1 message refused")."""
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()
