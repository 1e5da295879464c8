"""Whether the e-mail a report asks for can be sent, known before the report starts.

The worker sends the mail with its own SMTP settings. When the report's worker is this
machine's (the embedded server's supervised worker: SMTP_* are security settings it
shares with every command, see embedded/local_worker), a missing SMTP_HOST is known now:
the report is refused rather than run to the end and then not mailed. A worker of a
cluster may have SMTP settings this machine lacks: then it is only said.
"""

from __future__ import annotations

from collections.abc import Callable

from durable_research.client.options import EMAIL, Spelling
from durable_research.config import Settings
from durable_research.errors import UserError

# Whether a report's worker runs with these settings (client.workers.workers_here).
WorkersHere = Callable[[Settings], bool]

# Said at the start of a report whose mail depends on a worker elsewhere.
MAIL_ELSEWHERE_NOTE = ("SMTP_HOST is not set here: the report is mailed only if the worker "
                       "that runs it has SMTP settings")


def elsewhere(_settings: Settings) -> bool:
    """The workers of a front end that cannot tell: perhaps not this machine's."""
    return False


def check_mail(settings: Settings, email: str, workers_here: WorkersHere = elsewhere,
               spelling: Spelling = Spelling.CLI) -> str:
    """Check that a report asking for ``email`` (the request's own recipients; blank:
    none asked for) can be mailed.

    Args:
        workers_here: Whether the report's worker runs with ``settings``' SMTP settings
            (``client.workers.workers_here``); asked only when it decides.
        spelling: How the front end names the e-mail option (in the refusal).

    Returns:
        A one-line note when it cannot be known here, else "".

    Raises:
        UserError: The worker is this machine's and SMTP_HOST is not set.
    """
    if not email.strip() or settings.smtp_configured:
        return ""
    if workers_here(settings):
        email_option = EMAIL.name(spelling)
        raise UserError(
            f"{email_option}: SMTP_HOST is not set, so this machine's worker cannot send the "
            "report",
            "set SMTP_HOST (and SMTP_FROM, SMTP_USER, SMTP_PASSWORD as your mail server "
            f"needs) in the environment or your config file, or drop {email_option}")
    return MAIL_ELSEWHERE_NOTE
