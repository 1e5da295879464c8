"""SMTP sessions with the worker's settings: TLS rules, login (used by the mail activity
and by ``research doctor``)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from durable_research.config import Settings


class SmtpInsecureError(smtplib.SMTPException):
    """The server offers no TLS and a password would go out in clear text."""


def smtp_port(settings: Settings) -> int:
    """The SMTP port: the configured one, else 465 for SSL and 587 otherwise."""
    return settings.smtp_port or (465 if settings.smtp_security == "ssl" else 587)


def open_smtp(settings: Settings, timeout: float) -> smtplib.SMTP:
    """A greeted, secured (per SMTP_SECURITY) and logged-in SMTP connection."""
    port = smtp_port(settings)
    security = settings.smtp_security
    if security == "auto":
        security = "ssl" if port == 465 else "starttls-if-offered"
    smtp: smtplib.SMTP
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, port, timeout=timeout)
    try:
        smtp.ehlo()
        if security == "starttls" or (
            security == "starttls-if-offered" and smtp.has_extn("starttls")
        ):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        elif settings.smtp_password and security == "starttls-if-offered":
            # The password never crosses the network in clear text unless the user said
            # SMTP_SECURITY=none explicitly.
            raise SmtpInsecureError(
                f"{settings.smtp_host}:{port} offers no STARTTLS; refusing to send the SMTP "
                "password in clear text (use port 465 / SMTP_SECURITY=ssl, a server with "
                "STARTTLS, or SMTP_SECURITY=none to accept the risk)"
            )
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


@contextmanager
def smtp_session(settings: Settings, timeout: float) -> Iterator[smtplib.SMTP]:
    """A greeted, secured and logged-in SMTP connection, closed after the block."""
    with open_smtp(settings, timeout) as smtp:
        yield smtp


def send_committing(smtp: smtplib.SMTP, msg: EmailMessage, commit: Callable[[], None]) -> None:
    """``smtp.send_message(msg)``, running ``commit`` once the whole message has gone out
    and before the final "." that tells the server to deliver it.

    A worker killed after ``commit`` may have delivered the mail; one killed before it
    has not (the server drops a message without its final dot). ``commit`` raising
    aborts the send before anything is delivered.
    """
    plain_send = smtp.send

    def send(data: bytes | str) -> None:
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):  # the DATA payload
            plain_send(data[:-3])
            commit()
            plain_send(b".\r\n")
        else:
            plain_send(data)

    smtp.send = send  # type: ignore[method-assign,assignment]  # this session only: commit before the final dot
    try:
        smtp.send_message(msg)
    finally:
        del smtp.send  # the class's own method again (the connection is pooled)
