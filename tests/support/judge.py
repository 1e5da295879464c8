"""The checking activity's model call replaced by the fake LLM's judge, called in process."""

from __future__ import annotations

import pytest

from durable_research.activities import checking
from durable_research.config import Settings
from durable_research.contract.llm import AnswerSchema, LlmCallOutput, Usage
from durable_research.testing.fake_research import research_reply


def fake_judge_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer ``checking``'s LLM calls with the fake LLM's judge; returns the list the
    prompts sent are appended to."""
    sent: list[str] = []

    async def fake_complete(settings: Settings, model: str, system: str, prompt: str,
                            detail: str = "", schema: AnswerSchema | None = None
                            ) -> LlmCallOutput:
        sent.append(prompt)
        return LlmCallOutput(text=research_reply(system, prompt) or "", model=model,
                             usage=Usage(prompt_tokens=len(prompt.split())))

    monkeypatch.setattr(checking, "complete", fake_complete)
    return sent
