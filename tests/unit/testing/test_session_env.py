"""The test session's environment (tests/support/settings.py) keeps tests off the
developer's own state."""

from __future__ import annotations

from durable_research.config import Settings
from tests.support.settings import SESSION_DATA_HOME


def test_the_default_data_folder_is_the_sessions_not_the_developers() -> None:
    # A command that falls back to the default folder (no RESEARCH_DATA_DIR) starts its
    # embedded server there; the session's end stops it (tests/conftest.py).
    folder = Settings(data_dir="").data_path
    assert folder.is_relative_to(SESSION_DATA_HOME), folder
