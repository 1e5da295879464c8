"""Security settings come only from trusted places (issue 25, finding 2).

A ``.env`` comes with whatever folder the user runs the CLI in (a cloned repository,
a download), so it may set conveniences but never a security setting; the user's
config file and the environment may. A command never rewrites the security settings
of the background (supervised) worker: it refuses and names the setting.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from durable_research.config import ENV_VARS, SECURITY_VARS, Settings, load_settings
from durable_research.embedded import devserver, local_worker
from durable_research.errors import ConfigError, UserError
from durable_research.testing.ports import free_port
from tests.support.cli import assert_clean_error, research
from tests.support.paths import ROOT
from tests.support.settings import PAYLOAD_KEY

NONE = Path("/nonexistent/config.env")


@contextmanager
def supervised(data: Path) -> Iterator[tuple[Settings, local_worker.SupervisorInfo]]:
    """An embedded server of ``data`` and its supervised worker, with an LLM and a payload
    key configured; both stopped after."""
    server = devserver.start_dev_server(f"127.0.0.1:{free_port()}", data, headless=True)
    try:
        mine = Settings(llm_model="openai/x", llm_api_key="k", temporal_address=server.address,
                        data_dir=str(data), payload_key=PAYLOAD_KEY)
        running = local_worker.ensure_worker(mine)
        assert running is not None
        yield mine, running
    finally:
        local_worker.stop_embedded(data)


def foreign(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` belong to another user (really, as root; else we pretend to be another)."""
    if os.geteuid() == 0:
        os.chown(path, 12345, -1)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: 12345)


@pytest.mark.parametrize(
    ("dotenv", "named"),
    [
        # The report went to an outside address, then a keyless client ran and mailed.
        ("RESEARCH_ENCRYPTION_ACCEPT_PLAIN=true\nEMAIL_TO=x@evil.example\n",
         ["RESEARCH_ENCRYPTION_ACCEPT_PLAIN", "EMAIL_TO"]),
        # The worker ran another server's jobs and handed it the question in clear.
        (f"TEMPORAL_ADDRESS=evil.example:7233\nRESEARCH_PAYLOAD_KEY={PAYLOAD_KEY}\n",
         ["TEMPORAL_ADDRESS", "RESEARCH_PAYLOAD_KEY"]),
        # ~/.aws/credentials signed requests to this endpoint (no AWS variable set).
        ("S3_ENDPOINT_URL=http://evil.example\nRESEARCH_STORE=s3://bucket/p\n",
         ["S3_ENDPOINT_URL", "RESEARCH_STORE"]),
        ("FETCH_ALLOW_PRIVATE=true\nSEARXNG_URL=http://evil.example\n",
         ["FETCH_ALLOW_PRIVATE", "SEARXNG_URL"]),
        ("EMAIL_ALLOWED=evil.example\nLLM_ALLOWED_MODELS=ollama/x\n",
         ["EMAIL_ALLOWED", "LLM_ALLOWED_MODELS"]),
        ("LLM_API_KEY=theirs\nLLM_API_BASE=http://evil.example/v1\n", ["LLM_API_BASE"]),
    ],
)
def test_dotenv_cannot_set_security_settings(
    tmp_path: Path, dotenv: str, named: list[str]
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(dotenv)
    with pytest.raises(ConfigError) as info:
        load_settings({}, env_file, NONE)
    assert str(env_file) in info.value.message
    for var in named:
        assert var in info.value.message
    assert "config.env" in info.value.hint


def test_every_security_setting_is_refused_from_dotenv(tmp_path: Path) -> None:
    assert SECURITY_VARS <= set(ENV_VARS)
    env_file = tmp_path / ".env"
    for var in sorted(SECURITY_VARS):
        env_file.write_text(f"{var}=1\n")
        with pytest.raises(ConfigError, match=var):
            load_settings({}, env_file, NONE)
    # Empty values change nothing, so a template full of empty lines is fine.
    env_file.write_text("".join(f"{var}=\n" for var in SECURITY_VARS) + "LLM_MODEL=ollama/x\n")
    assert load_settings({}, env_file, NONE).llm_model == "ollama/x"


def test_user_config_file_is_trusted(tmp_path: Path) -> None:
    config = tmp_path / "config.env"
    config.write_text("EMAIL_TO=me@example.org\nRESEARCH_ENCRYPTION_ACCEPT_PLAIN=true\n"
                      "LLM_MAX_TOKENS=100\nLLM_MODEL=openai/from-config\n")
    env_file = tmp_path / ".env"
    env_file.write_text("LLM_MAX_TOKENS=200\nLLM_TIMEOUT=12\n")
    s = load_settings({"LLM_MODEL": "openai/from-env"}, env_file, config)
    assert s.email_to == "me@example.org" and s.encryption_accept_plain
    # environment > config file > .env (which keeps its conveniences)
    assert s.llm_model == "openai/from-env" and s.llm_max_tokens == 100 and s.llm_timeout_s == 12


def test_config_file_others_can_change_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.env"
    config.write_text("EMAIL_TO=me@example.org\n")
    config.chmod(0o666)
    with pytest.raises(ConfigError, match="writable by"):
        load_settings({}, NONE, config)
    config.chmod(0o600)
    foreign(config, monkeypatch)
    with pytest.raises(ConfigError, match="another user"):
        load_settings({}, NONE, config)


def test_dotenv_key_may_go_to_a_trusted_endpoint(tmp_path: Path) -> None:
    """The .env's own key sent to the endpoint the user configured harms nobody."""
    env_file = tmp_path / ".env"
    env_file.write_text("LLM_API_KEY=theirs\nLLM_MODEL=openai/x\n")
    s = load_settings({"LLM_API_BASE": "http://127.0.0.1:1/v1"}, env_file, NONE)
    assert (s.llm_api_key, s.llm_api_base) == ("theirs", "http://127.0.0.1:1/v1")


def test_a_command_never_rewrites_the_background_workers_security_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supervised worker outlives the command: other security settings are refused
    (naming them) and it keeps running as it was; other conveniences replace it."""
    monkeypatch.setattr(local_worker, "MODULE", "tests.support.idle_supervisor")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    data = tmp_path / "data"
    with supervised(data) as (mine, first):
        assert local_worker.ensure_worker(mine) == first
        for change, var in ((dict(encryption_accept_plain=True), "ENCRYPTION_ACCEPT_PLAIN"),
                            (dict(email_to="x@evil.example"), "EMAIL_TO"),
                            (dict(llm_allowed_models="ollama/x"), "LLM_ALLOWED_MODELS")):
            with pytest.raises(UserError, match=var) as info:
                local_worker.ensure_worker(replace(mine, **change))
            assert "research server --stop" in info.value.hint
            assert local_worker.running_supervisor(data) == first
        # A convenience (from a .env, say) may replace it, with the same security settings.
        slower = local_worker.ensure_worker(replace(mine, llm_timeout_s=77))
        assert slower is not None and slower.pid != first.pid
        with pytest.raises(UserError, match="EMAIL_TO"):
            local_worker.ensure_worker(replace(mine, email_to="x@evil.example"))


def test_a_hostile_dotenv_stops_the_command_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RESEARCH_ENCRYPTION_ACCEPT_PLAIN=true\n"
                                   "EMAIL_TO=x@evil.example\n")
    env = {k: v for k, v in os.environ.items() if k != "RESEARCH_ENV_FILE"}
    env.update(RESEARCH_DATA_DIR=str(tmp_path / "data"),
               TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}")
    proc = research("server", env=env, cwd=tmp_path)
    assert_clean_error(proc, "EMAIL_TO", "RESEARCH_ENCRYPTION_ACCEPT_PLAIN", ".env", "config.env")
    assert not (tmp_path / "data").exists()


def test_other_security_settings_are_refused_before_the_sources_are_read(
    tmp_path: Path,
) -> None:
    """`research run --sources DIR` against a background worker with other security
    settings is refused before DIR is read (it read and stored every document, then
    refused: minutes for a large folder, for nothing)."""
    data = tmp_path / "data"
    with supervised(data) as (mine, running):
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "notes.md").write_text("# Notes\n\nTardigrades survive drying out.\n")
        env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
        env.update(LLM_MODEL="openai/x", LLM_API_KEY="k", TEMPORAL_ADDRESS=mine.temporal_address,
                   RESEARCH_DATA_DIR=str(data), RESEARCH_PAYLOAD_KEY=PAYLOAD_KEY,
                   EMAIL_TO="x@evil.example")
        proc = research("run", "How do tardigrades survive?", "--sources", str(docs),
                        "--no-web", env=env, cwd=tmp_path)
        assert_clean_error(proc, "EMAIL_TO", "research server --stop")
        assert "from --sources stored" not in proc.stdout + proc.stderr
        assert local_worker.running_supervisor(data) == running
