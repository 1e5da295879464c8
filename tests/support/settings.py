"""The test session's environment, and settings helpers every tier shares.

tests/conftest.py imports this module first, so its environment set-up runs before
any test module: no developer's real keys, .env or config file leak into tests, and
payload encryption is on with one key for the whole session (the in-process clients
read it from the environment, the ``settings`` fixture from :data:`PAYLOAD_KEY`, and
every subprocess through :func:`settings_env`).
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from durable_research.config import DDGS_PROBE_OFF, ENV_VARS, Settings

for _var in ("LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "OPENAI_API_KEY", "SMTP_HOST"):
    os.environ.pop(_var, None)
os.environ["RESEARCH_ENV_FILE"] = "/nonexistent/.env"
os.environ["RESEARCH_CONFIG_FILE"] = "/nonexistent/config.env"
for _var in ("RESEARCH_PAYLOAD_KEY_FILE", "RESEARCH_PAYLOAD_OLD_KEYS", "RESEARCH_ENCRYPTION",
             "RESEARCH_ENCRYPTION_ACCEPT_PLAIN", "RESEARCH_ENCRYPTION_ACCEPT_UNBOUND",
             "TEMPORAL_UI_CODEC_ENDPOINT", "RESEARCH_CODEC_TOKEN", "RESEARCH_WEB_TOKEN"):
    os.environ.pop(_var, None)
os.environ["RESEARCH_PAYLOAD_KEY"] = base64.b64encode(os.urandom(32)).decode()
# Tests never reach for the internet: SEARCH_PROVIDER=auto does not probe DuckDuckGo
# (tests of the probe inject their own, or point it at a local port).
os.environ["SEARCH_DDGS_PROBE"] = DDGS_PROBE_OFF
PAYLOAD_KEY = os.environ["RESEARCH_PAYLOAD_KEY"]
# A command run with the session's environment that falls back to the default data folder
# gets one of this session (platformdirs reads XDG_DATA_HOME), never the developer's own:
# a loaded e2e run left a dev server on the developer's folder and port 7233 running. The
# session's end stops what is left running there (tests/conftest.py).
SESSION_DATA_HOME = Path(tempfile.mkdtemp(prefix="research-tests-data-"))
os.environ["XDG_DATA_HOME"] = str(SESSION_DATA_HOME)


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment variables that reproduce ``settings`` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TEMPORAL_"))}
    for var, name in ENV_VARS.items():
        value = getattr(settings, name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[var] = str(value)
    return env


def mail_settings(settings: Settings, port: int, **changes: object) -> Settings:
    """``settings`` that send mail to a plain SMTP server on 127.0.0.1:``port``."""
    return with_settings(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                         **changes)


def with_settings(settings: Settings, **changes: object) -> Settings:
    """A copy of ``settings`` with some fields changed."""
    return replace(settings, **changes)  # type: ignore[arg-type]  # the caller's keyword fields
