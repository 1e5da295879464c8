"""How the worker calls an LLM through litellm: which model, which credentials, and how
provider failures are classified for Temporal's RetryPolicy (no activity code here)."""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import timedelta
from types import ModuleType
from typing import Any

from temporalio.exceptions import ApplicationError

from durable_research.config import Settings, StructuredOutput
from durable_research.contract.llm import Usage
from durable_research.errors import FailureType
from durable_research.heap import freeze_startup_heap


@functools.cache
def litellm_module() -> ModuleType:
    """litellm, imported when a call first needs it, not when the worker starts.

    Importing it is most of a worker's start: 3-4 s from bytecode on 2 cores, 10-13 s
    where no bytecode is cached (``python -X importtime -c "import litellm"``). A worker
    polls without it, and the supervised worker imports it in the background meanwhile
    (``worker/proc.py``), so a report's first call rarely waits for it.
    """
    import litellm

    # It prints provider hints to stdout on every pricing miss; we report cost as unknown.
    litellm.suppress_debug_info = True
    # Its ~350,000 objects live as long as the worker: out of the collector's full passes,
    # as the worker's start-up heap is. A worker that imported it after its start (and
    # that freeze) walked them in every full pass, one in each deep report's PDF render
    # (0.21-0.27 s of its 0.8-0.9 s, gc callbacks in the bench's worker).
    freeze_startup_heap(again=True)
    return litellm


async def load_litellm() -> ModuleType:
    """:func:`litellm_module` without stopping the event loop while it is imported.

    A thread imports it (or waits for the warm-up's import): meanwhile the worker's other
    reports go on and this activity heartbeats.
    """
    if litellm_module.cache_info().currsize:
        return litellm_module()
    return await asyncio.to_thread(litellm_module)


@functools.cache
def _non_retryable() -> tuple[type[BaseException], ...]:
    """Failures a retry cannot fix: wrong key, wrong model, malformed request."""
    llm_errors = litellm_module().exceptions
    return (
        llm_errors.AuthenticationError,
        llm_errors.PermissionDeniedError,
        llm_errors.NotFoundError,
        llm_errors.BadRequestError,
        llm_errors.UnprocessableEntityError,
        llm_errors.ContentPolicyViolationError,
        llm_errors.ContextWindowExceededError,
        llm_errors.UnsupportedParamsError,
    )

# Providers whose litellm translation hands a json_schema ``response_format`` on although
# litellm's model map does not say so: for ``ollama/`` and ``ollama_chat/`` it becomes
# Ollama's ``format`` field (llms/ollama/*/transformation.py in litellm 1.110), which
# Ollama 0.5+ turns into a grammar.
_SCHEMA_PROVIDERS = frozenset({"ollama", "ollama_chat"})
# How providers' adapters say no key was given (litellm 1.110: OpenAI's SDK "Missing
# credentials", "Missing Gemini API key", "Missing Anthropic API Key", "api_key client
# option must be set"); tests/unit/llm/test_missing_key.py raises them for real.
_MISSING_KEY = re.compile(r"\bmissing\b[^.\n]{0,40}?\b(?:credentials|api[ _-]?key)\b"
                          r"|api_key client option must be set", re.IGNORECASE)
_NO_KEY_HINT = ("no API key for this provider: set LLM_API_KEY, or the provider's own "
                "variable, e.g. OPENAI_API_KEY, where the worker runs")
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


def classify_llm_error(exc: BaseException, model: str, structured: bool = False
                       ) -> ApplicationError:
    """Map a litellm exception to an ApplicationError the RetryPolicy understands.

    ``structured``: the request asked for a JSON schema; a refused request then says how
    to stop asking (a server that claims OpenAI compatibility may not take the field).
    """
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    message = f"LLM call to {model!r} failed: {name}"
    if status:
        message += f" (HTTP {status})"
    detail = str(getattr(exc, "message", "") or exc)
    message += f": {detail[:500]}"
    llm_errors = litellm_module().exceptions
    if _MISSING_KEY.search(detail):
        # Raised before any request (OpenAI's "Missing credentials" as HTTP 500, Gemini's
        # as a connection error, so before the unreachable-server advice, which would
        # mislead): no attempt can succeed until the worker has the key.
        message += f" ({_NO_KEY_HINT})"
        return ApplicationError(message, type=name, non_retryable=True)
    if "Connection error" in detail or isinstance(exc, llm_errors.APIConnectionError):
        message += " (cannot reach the LLM server: check LLM_API_BASE and the network)"
    if isinstance(exc, _non_retryable()):
        if structured and type(exc) in (llm_errors.BadRequestError,
                                        llm_errors.UnprocessableEntityError):
            # Exactly these: their subclasses (context window, content policy) name the cause.
            message += (" (the request asked for a JSON schema; if this server does not "
                        "support response_format, set LLM_STRUCTURED_OUTPUT=off)")
        return ApplicationError(message, type=name, non_retryable=True)
    delay = retry_after_seconds(exc)
    return ApplicationError(
        message,
        type=name,
        non_retryable=False,
        next_retry_delay=timedelta(seconds=delay) if delay is not None else None,
    )


def usage_of(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    cost: float | None = None
    hidden = getattr(response, "_hidden_params", None) or {}
    if isinstance(hidden, dict) and hidden.get("response_cost") is not None:
        cost = float(hidden["response_cost"])
    else:
        try:
            cost = float(litellm_module().completion_cost(completion_response=response))
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
            type=FailureType.CONFIG_ERROR,
            non_retryable=True,
        )
    if not requested or requested == settings.llm_model:
        return settings.llm_model or requested
    allowed = {m.strip() for m in settings.llm_allowed_models.split(",") if m.strip()}
    if requested not in allowed:
        raise ApplicationError(
            f"Model {requested!r} is not allowed on this worker; it runs "
            f"{settings.llm_model!r} (add models to LLM_ALLOWED_MODELS on the worker)",
            type=FailureType.MODEL_NOT_ALLOWED,
            non_retryable=True,
        )
    return requested


def _known_to_litellm(model: str) -> bool:
    try:
        litellm_module().get_model_info(model)
    except Exception:  # noqa: BLE001 - litellm raises several kinds for "not in its map"
        return False
    return True


def takes_schema(settings: Settings, model: str, api_base: str = "") -> bool:
    """Whether a call to ``model`` (at ``api_base``) should carry a JSON schema.

    Decided by ``LLM_STRUCTURED_OUTPUT`` and litellm's own capability tables. A provider
    whose litellm adapter does not accept ``response_format`` never gets it (litellm
    would raise UnsupportedParamsError); ``auto`` sends it where litellm knows the model
    supports schemas, to Ollama, and to OpenAI-compatible servers (``openai/<name>`` with
    an ``api_base``) of models litellm does not know: llama.cpp (the embedded model),
    vLLM, LM Studio. A known model that litellm says lacks support (``gpt-3.5-turbo``)
    does not get it, wherever it is served.
    """
    mode = StructuredOutput(settings.llm_structured_output)
    if mode is StructuredOutput.OFF:
        return False
    litellm = litellm_module()
    try:
        _name, provider, _key, _base = litellm.get_llm_provider(model)
        params = litellm.get_supported_openai_params(model=model, custom_llm_provider=provider)
    except Exception:  # noqa: BLE001 - an unknown provider is litellm's error to report
        return False
    if "response_format" not in (params or []):
        return False
    if mode is StructuredOutput.ON:
        return True
    return litellm.supports_response_schema(model, provider) or grammar_engine(model, api_base)


def grammar_engine(model: str, api_base: str = "") -> bool:
    """Whether a schema sent to ``model`` becomes a local decoding grammar that enforces
    string lengths: Ollama, and OpenAI-compatible servers of models litellm does not know
    (llama.cpp, the embedded model's server, converts ``maxLength`` into the grammar).
    OpenAI's strict mode refuses ``maxLength``, so hosted models never get it."""
    try:
        provider = litellm_module().get_llm_provider(model)[1]
    except Exception:  # noqa: BLE001 - an unknown provider is litellm's error to report
        return False
    if provider in _SCHEMA_PROVIDERS:
        return True
    return provider == "openai" and bool(api_base) and not _known_to_litellm(model)


def credentials(settings: Settings, model: str) -> dict[str, str]:
    """``api_key``/``api_base`` for a call to ``model``: LLM_API_KEY and LLM_API_BASE only
    go to LLM_MODEL's provider."""
    out: dict[str, str] = {}
    if provider_of(model) == provider_of(settings.llm_model):
        # The key and base URL belong to the configured provider; another provider's
        # model gets its own credentials from its own variables (e.g. ANTHROPIC_API_KEY).
        if settings.llm_api_key:
            out["api_key"] = settings.llm_api_key
        if settings.llm_api_base:
            out["api_base"] = settings.llm_api_base
    return out
