"""The SMTP password never crosses in clear text (against the SMTP sink)."""

from __future__ import annotations

import pytest

from durable_research.config import Settings
from durable_research.doctor.check import FAIL, WARN
from durable_research.doctor.run import check_smtp
from durable_research.mail.smtp import smtp_session
from durable_research.testing.ports import free_port
from durable_research.testing.smtp_sink import SmtpSink


def test_smtp_password_never_in_clear_text() -> None:
    """A server that offers AUTH but no STARTTLS never sees the password."""
    with SmtpSink() as sink:
        s = Settings(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_user="me",
                     smtp_password="s3cret-pw", smtp_security="auto", email_to="a@example.org")
        with pytest.raises(Exception, match="clear text"), smtp_session(s, timeout=5):
            pass
        check = check_smtp(s)
        assert check.level == FAIL and "clear text" in check.message
        assert all(b"s3cret-pw" not in m.content for m in sink.messages)
        # Only an explicit SMTP_SECURITY=none allows it, and doctor warns about it.
        plain = Settings(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_password="pw",
                         smtp_security="none", email_to="a@example.org")
        check = check_smtp(plain)
        assert check.level == WARN and "clear text" in check.message
    assert check_smtp(Settings(smtp_host="127.0.0.1", smtp_port=free_port())).level == FAIL
