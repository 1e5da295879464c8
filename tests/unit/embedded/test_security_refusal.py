"""The refusal to replace a background worker with other security settings names them in
a sentence that reads right for one and for several (a new user read "LLM_API_BASE
differ")."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.embedded.local_worker import (
    SupervisorInfo,
    check_security,
    security_digests,
)
from durable_research.errors import UserError

SALT = "00" * 16


def _running(env: dict[str, str]) -> SupervisorInfo:
    return SupervisorInfo(pid=1234, fingerprint="f", log_file=Path("/dev/null"),
                          security=security_digests(env, SALT), salt=SALT)


def test_one_setting_that_differs_differs() -> None:
    running = _running({"LLM_API_BASE": "http://127.0.0.1:9/v1"})
    with pytest.raises(UserError) as refused:
        check_security(running, {"LLM_API_BASE": "http://127.0.0.1:8/v1"})
    assert "this command: LLM_API_BASE differs." in refused.value.message


def test_several_settings_that_differ_differ() -> None:
    running = _running({"LLM_API_BASE": "a", "SMTP_HOST": "b"})
    with pytest.raises(UserError) as refused:
        check_security(running, {"LLM_API_BASE": "c", "SMTP_HOST": "d"})
    assert "this command: LLM_API_BASE, SMTP_HOST differ." in refused.value.message
