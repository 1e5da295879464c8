"""litellm's exceptions as a provider raises them, for the error-classification tests."""

from __future__ import annotations

import httpx


def llm_error(cls: type[Exception], status: int,
              headers: dict[str, str] | None = None) -> Exception:
    """An instance of litellm's ``cls`` carrying an HTTP response of ``status``."""
    response = httpx.Response(status, headers=headers or {},
                              request=httpx.Request("POST", "http://x/v1/chat/completions"))
    return cls(message="boom", llm_provider="openai", model="m", response=response)  # type: ignore[call-arg]  # litellm's stubs omit response
