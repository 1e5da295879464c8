"""One LLM call as an activity: its input, its output and the usage it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The embedded offline models (embedded/localmodel) as litellm calls them, through the
# OpenAI-compatible server that serves them here. They cost nothing, but litellm has no
# price for them: a cost it could not find is $0 for these (document/cost).
OFFLINE_PROVIDER = "openai"
OFFLINE_MODEL_NAMES: tuple[str, ...] = ("smollm2-135m-instruct",)
OFFLINE_MODELS = frozenset(f"{OFFLINE_PROVIDER}/{name}" for name in OFFLINE_MODEL_NAMES)


@dataclass
class Usage:
    """Token counts and cost of one or more LLM calls, as litellm reports them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None

    def add(self, other: Usage) -> Usage:
        """Return the sum of two usages (cost stays unknown if both are unknown)."""
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cost_usd=cost,
        )


class AnswerSchema(StrEnum):
    """A JSON answer's schema by name; the models are in ``research/answers.py``."""

    PLAN = "plan"
    NOTES = "notes"
    JUDGE = "judge"
    CLARIFY = "clarify"


@dataclass
class LlmCallInput:
    """Input of the ``llm_call`` activity. Holds no secrets: keys come from settings."""

    prompt: str = ""
    system: str = ""
    # Empty means "the model configured on the worker".
    model: str = ""
    # (``draft`` and ``feedback`` were fields once, never read: a revision puts both into
    # the prompt. Histories that still carry them decode; the converter skips unknown keys.)
    # An AnswerSchema value: the answer is asked for in that JSON shape (``response_format``)
    # where the provider supports it. Empty: free text.
    answer_schema: str = ""


@dataclass
class LlmCallOutput:
    """Output of the ``llm_call`` activity."""

    text: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    # An answer too large for the history is in the artifact store under this key;
    # ``text`` then holds only its beginning.
    text_key: str = ""
