"""A hosted model called without its key fails at once, not after five attempts."""

from __future__ import annotations

import litellm
import pytest

from durable_research.llm.calls import classify_llm_error

# litellm raises these before any network traffic (found calling each without a key):
# OpenAI's SDK refuses to build a client ("Missing credentials", wrapped as HTTP 500), and
# litellm's Gemini adapter raises "Missing Gemini API key" as a connection error.
NO_KEY_MODELS = ["openai/gpt-4o-mini", "gemini/gemini-1.5-flash"]


@pytest.mark.parametrize("model", NO_KEY_MODELS)
async def test_a_missing_key_is_not_retried(model: str, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    for var in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL",
                "OPENAI_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(Exception) as raised:  # whatever litellm raises is what is classified
        await litellm.acompletion(model=model, messages=[{"role": "user", "content": "hi"}],
                                  num_retries=0, timeout=5)
    error = classify_llm_error(raised.value, model)
    assert error.non_retryable, error.message
    assert "no API key" in error.message and "LLM_API_KEY" in error.message
    assert "cannot reach the LLM server" not in error.message  # no network was tried
