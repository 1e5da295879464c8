"""What a doctor check finds: :class:`Check` and its levels, and the redaction applied to
every finding (doctor's output may be pasted into a bug report).

A module of its own so that the checks of run.py and research.py both import it and
run.py can import research.py: with Check in run.py the two imported each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OK, WARN, FAIL = "ok", "warn", "fail"
# The user-info part of a URL ("scheme://user:password@"), wherever it appears: in a
# setting doctor names or in a library's error that quotes it.
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def redact_credentials(text: str) -> str:
    """``text`` with every URL's user and password replaced by ``***``."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


@dataclass
class Check:
    """One finding."""

    name: str
    level: str
    message: str
    hint: str = ""
