"""A setting with a wrong value says where it was set. Found in a new user's trial: a
`.env` in the folder holding `LLM_TIMEOUT=abc` stopped every command with "LLM_TIMEOUT='abc'
is not a number" and no hint, while the environment, the config file and that `.env` may
each set it."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.config import load_settings
from durable_research.errors import ConfigError


def test_a_wrong_value_names_the_file_it_is_in(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LLM_TIMEOUT=abc\n")
    with pytest.raises(ConfigError) as refused:
        load_settings({}, env_file=env_file, config_file=tmp_path / "none.env")
    assert refused.value.message == "LLM_TIMEOUT='abc' is not a number"
    assert refused.value.hint == f"it is set in {env_file}"


def test_the_config_file_and_the_environment_are_named(tmp_path: Path) -> None:
    config = tmp_path / "config.env"
    config.write_text("SMTP_SECURITY=maybe\n")
    config.chmod(0o600)
    with pytest.raises(ConfigError) as refused:
        load_settings({}, env_file=tmp_path / "none", config_file=config)
    assert refused.value.hint.endswith(f"; it is set in {config}"), refused.value.hint
    config.write_text("LLM_TIMEOUT=5\n")
    with pytest.raises(ConfigError) as refused:
        load_settings({"LLM_TIMEOUT": "-1"}, env_file=tmp_path / "none", config_file=config)
    assert refused.value.hint == "it is set in the environment"
