"""The ``llm_call`` activity: one chat completion through litellm.

Temporal owns retries (litellm is called with ``num_retries=0``); this module
only classifies failures so the workflow's RetryPolicy does the right thing.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import litellm
from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.storage import WithStore
from durable_research.config import Settings
from durable_research.shared import LlmCallInput, LlmCallOutput, Usage
from durable_research.store import content_hash

# litellm prints provider hints to stdout on every pricing miss; we report cost as unknown.
litellm.suppress_debug_info = True

# Failures a retry cannot fix: wrong key, wrong model, malformed request.
_NON_RETRYABLE: tuple[type[BaseException], ...] = (
    litellm.AuthenticationError,
    litellm.PermissionDeniedError,
    litellm.NotFoundError,
    litellm.BadRequestError,
    litellm.UnprocessableEntityError,
    litellm.ContentPolicyViolationError,
    litellm.ContextWindowExceededError,
    litellm.UnsupportedParamsError,
)
# Longest Retry-After we honour; a provider asking for more gets the RetryPolicy's backoff.
_MAX_RETRY_AFTER_S = 600.0


def retry_after_seconds(exc: BaseException) -> float | None:
    """Return the Retry-After delay (seconds) an LLM error carries, if any."""
    candidates: list[Any] = [getattr(exc, "headers", None)]
    candidates.append(getattr(exc, "litellm_response_headers", None))
    response = getattr(exc, "response", None)
    candidates.append(getattr(response, "headers", None))
    for headers in candidates:
        if not headers:
            continue
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            continue
        if value is None:
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue  # HTTP-date form: leave it to the RetryPolicy's backoff.
        return min(max(seconds, 0.0), _MAX_RETRY_AFTER_S)
    return None


def classify_llm_error(exc: BaseException, model: str) -> ApplicationError:
    """Map a litellm exception to an ApplicationError the RetryPolicy understands."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    message = f"LLM call to {model!r} failed: {name}"
    if status:
        message += f" (HTTP {status})"
    detail = str(getattr(exc, "message", "") or exc)
    message += f": {detail[:500]}"
    if "Connection error" in detail or isinstance(exc, litellm.APIConnectionError):
        message += " (cannot reach the LLM server: check LLM_API_BASE and the network)"
    if isinstance(exc, _NON_RETRYABLE):
        return ApplicationError(message, type=name, non_retryable=True)
    delay = retry_after_seconds(exc)
    return ApplicationError(
        message,
        type=name,
        non_retryable=False,
        next_retry_delay=timedelta(seconds=delay) if delay is not None else None,
    )


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    cost: float | None = None
    hidden = getattr(response, "_hidden_params", None) or {}
    if isinstance(hidden, dict) and hidden.get("response_cost") is not None:
        cost = float(hidden["response_cost"])
    else:
        try:
            cost = float(litellm.completion_cost(completion_response=response))
        except Exception:  # noqa: BLE001 - unknown price is normal for local/custom models
            cost = None
    return Usage(
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        total_tokens=int(getattr(usage, "total_tokens", 0) or 0),
        cost_usd=cost,
    )


def provider_of(model: str) -> str:
    """The litellm provider prefix of a model string (``openai/gpt-4o`` -> ``openai``)."""
    return model.split("/", 1)[0] if "/" in model else model


def allowed_model(settings: Settings, requested: str) -> str:
    """The model to call: the configured one, or a requested one on the allow-list.

    Raises:
        ApplicationError: Non-retryable, before anything is sent anywhere.
    """
    if not settings.llm_model and not requested:
        raise ApplicationError(
            "No LLM model configured on the worker: set LLM_MODEL (e.g. openai/gpt-4o-mini)",
            type="ConfigError",
            non_retryable=True,
        )
    if not requested or requested == settings.llm_model:
        return settings.llm_model or requested
    allowed = {m.strip() for m in settings.llm_allowed_models.split(",") if m.strip()}
    if requested not in allowed:
        raise ApplicationError(
            f"Model {requested!r} is not allowed on this worker; it runs "
            f"{settings.llm_model!r} (add models to LLM_ALLOWED_MODELS on the worker)",
            type="ModelNotAllowed",
            non_retryable=True,
        )
    return requested


async def complete(
    settings: Settings, model: str, system: str, prompt: str, detail: str = "waiting for LLM"
) -> LlmCallOutput:
    """One chat completion with the worker's provider settings, heartbeating meanwhile.

    Raises:
        ApplicationError: Classified for the RetryPolicy (see :func:`classify_llm_error`).
    """
    model = allowed_model(settings, model)
    messages = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "num_retries": 0,
        "timeout": settings.llm_timeout_s,
    }
    if provider_of(model) == provider_of(settings.llm_model):
        # The key and base URL belong to the configured provider; another provider's
        # model gets its own credentials from its own variables (e.g. ANTHROPIC_API_KEY).
        if settings.llm_api_key:
            kwargs["api_key"] = settings.llm_api_key
        if settings.llm_api_base:
            kwargs["api_base"] = settings.llm_api_base
    if settings.llm_max_tokens:
        kwargs["max_tokens"] = settings.llm_max_tokens
    activity.logger.info("llm call model=%s attempt=%d", model, activity.info().attempt)
    try:
        response = await with_heartbeats(litellm.acompletion(**kwargs), detail=detail,
                                         first_s=0.0)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - every provider error is classified
        raise classify_llm_error(exc, model) from exc
    text = response.choices[0].message.content or ""
    if not text.strip():
        # An empty answer is a provider hiccup worth one more attempt, not a report.
        raise ApplicationError(f"LLM {model!r} returned an empty answer", type="EmptyAnswer")
    return LlmCallOutput(text=text, model=model, usage=_usage(response))


# Answers longer than this (bytes) go to the artifact store: Temporal refuses payloads
# over 2 MB, and a refused result would be paid for again on every retry.
LARGE_ANSWER_BYTES = 256 * 1024
PREVIEW_CHARS = 20_000


class LlmActivities(WithStore):
    """Runs LLM calls with the worker's provider settings."""

    def _answer_key(self, params: LlmCallInput) -> str:
        """Where this run keeps the answer to this exact call (same run, same inputs)."""
        digest = content_hash(f"{params.model}\0{params.system}\0{params.prompt}".encode())
        return self.my_key(f"llm/answers/{activity.info().workflow_run_id}-{digest[:32]}.json")

    @activity.defn(name="llm_call")
    async def llm_call(self, params: LlmCallInput) -> LlmCallOutput:
        """Run one chat completion and return its text, model, tokens and cost.

        The answer is saved in the store before it is returned: an attempt that dies after
        the provider answered (worker killed, result lost in a server outage, a heartbeat
        timeout under load) leaves it there, and the next attempt, or the step scheduled
        again, returns it instead of paying the provider a second time.
        """
        memo = self._answer_key(params)
        saved = await self.load_json(memo)
        if saved is not None:
            activity.logger.info("llm call answered from the store (paid by an earlier attempt)")
            return LlmCallOutput(text=saved["text"], model=saved["model"],
                                 usage=Usage(**saved["usage"]), text_key=saved["text_key"])
        out = await complete(self.settings, params.model, params.system, params.prompt)
        data = out.text.encode("utf-8")
        if len(data) > LARGE_ANSWER_BYTES:
            key = self.my_key(f"llm/{content_hash(data)[:32]}.md")
            await self.in_store(self.store.put, key, data)
            out.text_key = key
            out.text = out.text[:PREVIEW_CHARS] + "\n\n[... the full answer is in the store]"
        await self.save_json(memo, {"text": out.text, "model": out.model,
                                    "usage": asdict(out.usage), "text_key": out.text_key})
        return out
