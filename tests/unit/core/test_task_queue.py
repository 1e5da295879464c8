"""A task queue is named, everywhere one is taken: a blank one polled the default queue
(found in a new user's trial: `research worker --task-queue ""`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app
from durable_research.config import load_settings
from durable_research.contract.report import TASK_QUEUE
from durable_research.errors import ConfigError


def _load(tmp_path: Path, **env: str) -> str:
    return load_settings(env, env_file=tmp_path / "none.env",
                         config_file=tmp_path / "none-config.env").task_queue


@pytest.mark.parametrize("raw", ["", "   ", "\t"])
def test_a_blank_task_queue_in_the_environment_is_refused(tmp_path: Path, raw: str) -> None:
    """``TEMPORAL_TASK_QUEUE=$QUEUE`` with QUEUE unset polled the shared default queue."""
    with pytest.raises(ConfigError, match="TEMPORAL_TASK_QUEUE is blank") as exc:
        _load(tmp_path, TEMPORAL_TASK_QUEUE=raw)
    assert TASK_QUEUE in exc.value.hint


def test_a_blank_task_queue_line_in_a_file_is_unset_as_any_other(tmp_path: Path) -> None:
    """A template's empty line changes nothing (config_sources: "an empty one changes
    nothing"); only a value set, blank, in the environment is a mistake."""
    env_file = tmp_path / ".env"
    env_file.write_text("TEMPORAL_TASK_QUEUE=\n")
    assert load_settings({}, env_file=env_file,
                         config_file=tmp_path / "none.env").task_queue == TASK_QUEUE
    assert _load(tmp_path) == TASK_QUEUE


@pytest.mark.parametrize(("raw", "said"), [
    ("a\x00b", "control character"), ("q\nx", "control character"),
    ("x" * 1001, "longer than 1000"), ("/_sys/research", "reserved")])
def test_a_task_queue_temporal_would_refuse_is_refused_with_its_reason(
        tmp_path: Path, raw: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        _load(tmp_path, TEMPORAL_TASK_QUEUE=raw)


def test_a_named_task_queue_is_kept_without_its_outer_spaces(tmp_path: Path) -> None:
    assert _load(tmp_path, TEMPORAL_TASK_QUEUE=" team-a ") == "team-a"


@pytest.mark.parametrize("raw", ["", "  "])
def test_the_worker_refuses_a_blank_task_queue_in_one_line(tmp_path: Path, raw: str) -> None:
    env = {"RESEARCH_ENV_FILE": "/dev/null", "RESEARCH_CONFIG_FILE": str(tmp_path / "c.env"),
           "RESEARCH_DATA_DIR": str(tmp_path / "data"), "LLM_MODEL": "openai/x",
           "LLM_API_KEY": "k", "LLM_API_BASE": "http://127.0.0.1:9/v1",
           "TEMPORAL_ADDRESS": "127.0.0.1:9", "RESEARCH_EMBEDDED": "never"}
    result = CliRunner().invoke(build_app(), ["worker", "--task-queue", raw], env=env)
    assert result.exit_code == 2, result.output
    assert "--task-queue is blank" in result.output
    assert "Traceback" not in result.output and "Worker polling" not in result.output
