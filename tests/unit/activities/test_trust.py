"""A worker that trusts no one: inputs are requests, credentials stay bound, no clear text."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.paths import confined_dir
from durable_research.addresses import check_recipients, recipient_allowed
from durable_research.config import Settings, load_settings
from durable_research.errors import ConfigError, UserError
from durable_research.llm.calls import allowed_model, provider_of


@pytest.mark.parametrize(
    ("env", "dotenv", "culprit"),
    [
        ({"LLM_API_KEY": "sk-real"}, "LLM_API_BASE=http://evil.example/v1\n", "LLM_API_BASE"),
        ({"OPENAI_API_KEY": "sk-real"}, "LLM_MODEL=ollama_chat/x\n", "LLM_MODEL"),
        ({"LLM_API_KEY": "sk-real"}, "EMBEDDING_MODEL=ollama/x\n", "EMBEDDING_MODEL"),
        ({"SMTP_PASSWORD": "pw"}, "SMTP_HOST=mail.evil.example\n", "SMTP_HOST"),
        ({"TEMPORAL_API_KEY": "k"}, "TEMPORAL_ADDRESS=evil.example:7233\n", "TEMPORAL_ADDRESS"),
        # The .env's own (dummy) key does not make it safe: the environment's key wins.
        ({"LLM_API_KEY": "sk-real"}, "LLM_API_KEY=dummy\nLLM_MODEL=ollama_chat/x\n",
         "LLM_MODEL"),
    ],
)
def test_dotenv_cannot_redirect_an_environment_secret(
    tmp_path: Path, env: dict[str, str], dotenv: str, culprit: str
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(dotenv)
    with pytest.raises(ConfigError) as info:
        load_settings(env, env_file)
    assert culprit in info.value.message and str(env_file) in info.value.message


def test_dotenv_may_hold_its_own_key_and_model(tmp_path: Path) -> None:
    """Conveniences stay: a .env may name the model and hold its key (LLM_API_BASE, which
    decides where every question goes, is a security setting: environment or config file)."""
    env_file = tmp_path / ".env"
    env_file.write_text("LLM_API_KEY=k\nLLM_MODEL=openai/x\n")
    s = load_settings({}, env_file)
    assert (s.llm_api_key, s.llm_model) == ("k", "openai/x")
    both = load_settings({"LLM_API_KEY": "k2", "LLM_MODEL": "openai/y"}, env_file)
    assert (both.llm_api_key, both.llm_model) == ("k2", "openai/y")


def test_model_allow_list_and_key_binding() -> None:
    s = Settings(llm_model="openai/gpt-4o-mini", llm_api_key="k",
                 llm_allowed_models="openai/gpt-4o, anthropic/claude-3-5-haiku-latest")
    assert allowed_model(s, "") == "openai/gpt-4o-mini"
    assert allowed_model(s, "openai/gpt-4o") == "openai/gpt-4o"
    with pytest.raises(ApplicationError) as info:
        allowed_model(s, "ollama_chat/x")
    assert info.value.type == "ModelNotAllowed" and info.value.non_retryable
    # Another provider's model never gets the configured provider's key or base URL.
    assert provider_of("anthropic/claude-3-5-haiku-latest") != provider_of(s.llm_model)


def test_recipient_policy() -> None:
    assert recipient_allowed("a@example.org", "")
    assert recipient_allowed("a@example.org", "example.org")
    assert recipient_allowed("boss@corp.test", "@example.org, boss@corp.test")
    assert not recipient_allowed("x@evil.example", "example.org")
    # A domain is exact: subdomains (anyone who can get one) only when asked for.
    assert not recipient_allowed("a@team.example.org", "example.org")
    assert not recipient_allowed("a@team.example.org", "@example.org")
    for wildcard in (".example.org", "*.example.org"):
        assert recipient_allowed("a@team.example.org", wildcard)
        assert recipient_allowed("a@x.team.example.org", wildcard)
        assert not recipient_allowed("a@example.org", wildcard)
        assert not recipient_allowed("a@evilexample.org", wildcard)
    with pytest.raises(UserError, match="x@evil.example"):
        check_recipients(["a@example.org", "x@evil.example"], "example.org")


def test_paths_stay_under_the_output_root(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    assert confined_dir(root, "") == root.resolve()
    assert confined_dir(root, "team/q3") == (root / "team/q3").resolve()
    assert confined_dir(root, str(root / "x")) == (root / "x").resolve()
    (tmp_path / "out").mkdir()
    root.mkdir()
    (root / "link").symlink_to(tmp_path / "out")
    for bad in ("/etc", "../elsewhere", str(tmp_path), "link/x"):
        with pytest.raises(ApplicationError) as info:
            confined_dir(root, bad)
        assert info.value.type == "OutsideOutputRoot"


