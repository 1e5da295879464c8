"""check_llm_settings: a model that cannot be called is refused before a report starts."""

from __future__ import annotations

import pytest

from durable_research.config import Settings, check_llm_settings
from durable_research.errors import ConfigError


@pytest.mark.parametrize("model", ["bogus", "gpt4-turbo-ish"])
@pytest.mark.parametrize("key", ["", "sk-test"])
def test_a_model_without_a_provider_is_refused_with_the_spelling(
        model: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match=f"LLM model '{model}' names no provider") as exc:
        check_llm_settings(Settings(llm_model=model, llm_api_key=key))
    assert "provider/model, e.g. openai/gpt-4o-mini" in exc.value.hint
    # litellm's own "Provider List" hint is not printed on top of ours.
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "gpt-4o-mini", "ollama/llama3.2"])
def test_a_model_with_a_provider_and_a_key_passes(model: str) -> None:
    check_llm_settings(Settings(llm_model=model, llm_api_key="sk-test"))
    check_llm_settings(Settings(llm_model=model, llm_api_base="http://127.0.0.1:9/v1"))


def test_a_missing_provider_key_is_still_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="No API key for LLM model 'openai/gpt-4o-mini'"):
        check_llm_settings(Settings(llm_model="openai/gpt-4o-mini"))
