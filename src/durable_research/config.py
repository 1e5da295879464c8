"""Typed settings from the environment, the user's config file and a ``.env`` file.

Settings are read only at the edges (CLI, worker start-up, activities) and never
travel in workflow inputs, so secrets stay out of Temporal histories. Where each
setting may come from is decided in :mod:`durable_research.config_sources`: the
security settings (:data:`SECURITY_VARS`) never from a ``.env``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

from platformdirs import user_data_dir

from durable_research.config_sources import (
    default_config_file,
    default_env_file,
    gather,
    read_config_file,
)
from durable_research.contract.report import TASK_QUEUE, check_task_queue
from durable_research.errors import ConfigError, UserError
from durable_research.mcp_servers import McpServer, parse_mcp_servers
from durable_research.payload_keys import parse_key, parse_key_list

# SEARCH_DDGS_PROBE: where auto checks that DuckDuckGo answers, or off (never take it).
DDGS_PROBE_DEFAULT = "duckduckgo.com:443"
DDGS_PROBE_OFF = "off"
# Pairs a citation-judge call asks about (LLM_JUDGE_BATCH). Batches keep a hosted judge's
# calls and its system prompt's tokens few; a small model judges far worse in them:
# Qwen2.5-Coder-1.5B on the held-out PostgreSQL claims passed 34 % of the wrong ones in
# batches of 10 and 6 % one a call (disputes found 0.46 / 0.88), at 1.65x the time a pair
# (docs/research-quality.md, "The judge at temperature 0, and the size of its batches").
JUDGE_BATCH_DEFAULT = 10
JUDGE_BATCH_MAX = 50
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class StructuredOutput(StrEnum):
    """``LLM_STRUCTURED_OUTPUT``: when JSON answers are asked for with their schema."""

    # Where litellm knows the model takes a schema, plus Ollama and OpenAI-compatible
    # servers of models litellm does not know (llama.cpp, vLLM, the embedded model).
    AUTO = "auto"
    # Wherever the provider accepts ``response_format`` at all.
    ON = "on"
    # Never: the prompt alone asks for JSON.
    OFF = "off"


class CpuPool(StrEnum):
    """``WORKER_CPU_POOL``: where a worker runs its CPU-bound steps (renders, page
    extraction, note comparison)."""

    # Child processes of the worker's own: the event loop's GIL stays free for the
    # workflow tasks and LLM calls of the reports' other steps.
    PROCESSES = "processes"
    # Threads of the worker process (no child processes; they share the GIL).
    THREADS = "threads"


class ToolCalling(StrEnum):
    """``LLM_TOOL_CALLING``: whether the model may run the research agent (tool calls)."""

    # Where litellm says the model supports function calling.
    AUTO = "auto"
    # The model calls tools (a local or new model litellm does not know).
    ON = "on"
    # Never: research follows the fixed pipeline.
    OFF = "off"


@dataclass(frozen=True)
class Settings:
    """All configuration of the app. Field docs are in the README's table."""

    llm_model: str = ""
    llm_api_key: str = ""
    llm_api_base: str = ""
    llm_timeout_s: float = 300.0
    llm_max_tokens: int = 0
    # Claim/passage pairs a citation-judge call asks about (1 to JUDGE_BATCH_MAX).
    llm_judge_batch: int = JUDGE_BATCH_DEFAULT
    # "auto": with no LLM_MODEL and no LLM_API_KEY, use the embedded offline model.
    llm_local: str = "auto"
    # Models a client may ask for (comma-separated); empty: only LLM_MODEL.
    llm_allowed_models: str = ""
    # litellm embedding model for dense passage ranking of local documents ("": BM25 only).
    embedding_model: str = ""
    llm_structured_output: str = StructuredOutput.AUTO
    llm_tool_calling: str = ToolCalling.AUTO
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = TASK_QUEUE
    temporal_tls: bool = False
    temporal_tls_cert: str = ""
    temporal_tls_key: str = ""
    temporal_tls_ca: str = ""
    temporal_api_key: str = ""
    # "auto": start the embedded dev server when nothing answers on a local address.
    embedded: str = "auto"
    ui_port: int = 0
    data_dir: str = ""
    output_dir: str = "reports"
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: str = "auto"
    email_to: str = ""
    # Recipient policy enforced by the worker: addresses and/or domains (empty: anyone).
    email_allowed: str = ""
    review_timeout_s: float = 0.0
    review_timeout_action: str = "approve"
    # Artifact store: "" = <data dir>/store, a folder path, or (later) s3://bucket/prefix.
    store: str = ""
    # S3-compatible store: endpoint (MinIO, R2, a test server; empty = AWS) and region.
    # Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID, ~/.aws, roles).
    s3_endpoint_url: str = ""
    s3_region: str = ""
    # Web search: "auto" picks the configured one (SearXNG, Tavily, Brave), else
    # DuckDuckGo when the client's probe of search_ddgs_probe answers, else none.
    search_provider: str = "auto"
    search_ddgs_probe: str = DDGS_PROBE_DEFAULT
    searxng_url: str = ""
    tavily_api_key: str = ""
    brave_api_key: str = ""
    # Fetching pages: limits, and whether private/loopback addresses may be fetched
    # (only for tests and intranet set-ups; off by default against SSRF).
    fetch_timeout_s: float = 20.0
    fetch_max_bytes: int = 5_000_000
    fetch_allow_private: bool = False
    # Seconds between two requests to the same host.
    fetch_host_delay_s: float = 1.0
    # Payload encryption (docs/security.md): AES-256-GCM on every workflow/activity
    # input and result. The key: payload_key (base64 of 32 bytes), else the file
    # payload_key_file (first key line current, later lines old), else
    # <data dir>/payload.key, created on first use. Old keys only decrypt.
    encryption: bool = True
    payload_key: str = ""
    payload_key_file: str = ""
    payload_old_keys: str = ""
    # Accept unencrypted payloads (old histories, plain clients); off by default so a
    # client without the key cannot start work on the workers.
    encryption_accept_plain: bool = False
    # Workers open payloads in the old format 1 (bound to no workflow, written before
    # payload binding); off by default so an input copied from an old history starts
    # nothing. On while workflows started before the upgrade still run.
    encryption_accept_unbound: bool = False
    # Codec server for the Web UI (`research codec-server`); the embedded dev
    # server passes it to the UI. Empty: none (the UI shows encrypted payloads).
    ui_codec_endpoint: str = ""
    codec_token: str = ""
    # Token of `research web` (login form or "Authorization: Bearer"); required off loopback.
    web_token: str = ""
    # Activities one worker runs at once: LLM and SMTP calls mostly wait, so hundreds
    # fit; CPU-bound rendering is bounded separately by worker_cpu_threads (0: cores).
    worker_io_concurrency: int = 200
    worker_cpu_threads: int = 0
    # Where those steps run (CpuPool); processes: as many as worker_cpu_threads.
    worker_cpu_pool: str = CpuPool.PROCESSES
    # MCP servers whose allowed tools the research agent is offered (JSON, mcp_servers.py);
    # kept as the checked text so the settings pass through an environment unchanged.
    mcp_servers: str = ""

    @property
    def data_path(self) -> Path:
        """Directory for the embedded server's SQLite file, pid files and logs."""
        return Path(self.data_dir or user_data_dir("durable-research")).expanduser()

    @property
    def output_path(self) -> Path:
        """Directory where reports are written (relative paths: from the cwd)."""
        return Path(self.output_dir).expanduser().resolve()

    @property
    def store_path(self) -> Path:
        """Folder of the directory artifact store."""
        return Path(self.store).expanduser().resolve() if self.store else self.data_path / "store"

    @property
    def wants_local_llm(self) -> bool:
        """Whether the embedded offline model stands in for an unconfigured provider."""
        return self.llm_local == "auto" and not (self.llm_model or self.llm_api_key)

    @property
    def smtp_configured(self) -> bool:
        """Whether enough SMTP settings are given to send mail."""
        return bool(self.smtp_host)

    @property
    def mcp_server_list(self) -> tuple[McpServer, ...]:
        """The MCP servers of ``mcp_servers`` (checked when the settings were loaded)."""
        return parse_mcp_servers(self.mcp_servers, is_worker_var)

    @property
    def uses_tls(self) -> bool:
        """TLS is on when asked for, or implied by a client cert or API key."""
        return self.temporal_tls or bool(self.temporal_tls_cert or self.temporal_api_key)


# Environment variable -> Settings field.
ENV_VARS: dict[str, str] = {
    "LLM_MODEL": "llm_model",
    "LLM_API_KEY": "llm_api_key",
    "LLM_API_BASE": "llm_api_base",
    "LLM_TIMEOUT": "llm_timeout_s",
    "LLM_MAX_TOKENS": "llm_max_tokens",
    "LLM_JUDGE_BATCH": "llm_judge_batch",
    "LLM_LOCAL": "llm_local",
    "LLM_ALLOWED_MODELS": "llm_allowed_models",
    "EMBEDDING_MODEL": "embedding_model",
    "LLM_STRUCTURED_OUTPUT": "llm_structured_output",
    "LLM_TOOL_CALLING": "llm_tool_calling",
    "TEMPORAL_ADDRESS": "temporal_address",
    "TEMPORAL_NAMESPACE": "temporal_namespace",
    "TEMPORAL_TASK_QUEUE": "task_queue",
    "TEMPORAL_TLS": "temporal_tls",
    "TEMPORAL_TLS_CERT": "temporal_tls_cert",
    "TEMPORAL_TLS_KEY": "temporal_tls_key",
    "TEMPORAL_TLS_CA": "temporal_tls_ca",
    "TEMPORAL_API_KEY": "temporal_api_key",
    "RESEARCH_EMBEDDED": "embedded",
    "TEMPORAL_UI_PORT": "ui_port",
    "RESEARCH_DATA_DIR": "data_dir",
    "RESEARCH_OUTPUT_DIR": "output_dir",
    "SMTP_HOST": "smtp_host",
    "SMTP_PORT": "smtp_port",
    "SMTP_USER": "smtp_user",
    "SMTP_PASSWORD": "smtp_password",
    "SMTP_FROM": "smtp_from",
    "SMTP_SECURITY": "smtp_security",
    "EMAIL_TO": "email_to",
    "EMAIL_ALLOWED": "email_allowed",
    "REVIEW_TIMEOUT": "review_timeout_s",
    "REVIEW_TIMEOUT_ACTION": "review_timeout_action",
    "RESEARCH_STORE": "store",
    "S3_ENDPOINT_URL": "s3_endpoint_url",
    "S3_REGION": "s3_region",
    "SEARCH_PROVIDER": "search_provider",
    "SEARCH_DDGS_PROBE": "search_ddgs_probe",
    "SEARXNG_URL": "searxng_url",
    "TAVILY_API_KEY": "tavily_api_key",
    "BRAVE_API_KEY": "brave_api_key",
    "FETCH_TIMEOUT": "fetch_timeout_s",
    "FETCH_MAX_BYTES": "fetch_max_bytes",
    "FETCH_ALLOW_PRIVATE": "fetch_allow_private",
    "FETCH_HOST_DELAY": "fetch_host_delay_s",
    "RESEARCH_ENCRYPTION": "encryption",
    "RESEARCH_PAYLOAD_KEY": "payload_key",
    "RESEARCH_PAYLOAD_KEY_FILE": "payload_key_file",
    "RESEARCH_PAYLOAD_OLD_KEYS": "payload_old_keys",
    "RESEARCH_ENCRYPTION_ACCEPT_PLAIN": "encryption_accept_plain",
    "RESEARCH_ENCRYPTION_ACCEPT_UNBOUND": "encryption_accept_unbound",
    "TEMPORAL_UI_CODEC_ENDPOINT": "ui_codec_endpoint",
    "RESEARCH_CODEC_TOKEN": "codec_token",
    "RESEARCH_WEB_TOKEN": "web_token",
    "WORKER_IO_CONCURRENCY": "worker_io_concurrency",
    "WORKER_CPU_THREADS": "worker_cpu_threads",
    "WORKER_CPU_POOL": "worker_cpu_pool",
    "MCP_SERVERS": "mcp_servers",
}

# Settings that decide who can make the worker act, where workflow data, reports and
# mail go, and which servers receive secrets (the LLM key, ~/.aws credentials, the SMTP
# login). They come only from the environment or the user's config file, never from a
# `.env` in the current folder, and a command never changes them on the background
# worker (docs/security.md). The rest (model, its key, timeouts, limits, the output
# folder) are conveniences a `.env` may set.
SECURITY_VARS: frozenset[str] = frozenset({
    # Payload encryption: who can read and start work.
    "RESEARCH_ENCRYPTION", "RESEARCH_PAYLOAD_KEY", "RESEARCH_PAYLOAD_KEY_FILE",
    "RESEARCH_PAYLOAD_OLD_KEYS", "RESEARCH_ENCRYPTION_ACCEPT_PLAIN",
    "RESEARCH_ENCRYPTION_ACCEPT_UNBOUND",
    # Where work comes from.
    "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "TEMPORAL_TLS",
    "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA", "TEMPORAL_API_KEY",
    # Local state and the artifact store (S3 requests are signed with ambient AWS keys).
    "RESEARCH_DATA_DIR", "RESEARCH_STORE", "S3_ENDPOINT_URL", "S3_REGION",
    # Mail: the account and who may receive reports.
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_SECURITY",
    "EMAIL_TO", "EMAIL_ALLOWED",
    # Where questions and queries go.
    "LLM_API_BASE", "LLM_ALLOWED_MODELS", "SEARCH_PROVIDER", "SEARCH_DDGS_PROBE", "SEARXNG_URL",
    "TAVILY_API_KEY", "BRAVE_API_KEY", "FETCH_ALLOW_PRIVATE",
    # The local listeners.
    "TEMPORAL_UI_CODEC_ENDPOINT", "RESEARCH_CODEC_TOKEN", "RESEARCH_WEB_TOKEN",
    # Commands the worker runs and servers its agent calls.
    "MCP_SERVERS",
})

# Secret values among the settings; with every variable that looks like a credential
# (``is_secret_var``) they are kept out of helper processes that need none.
SECRET_VARS: frozenset[str] = frozenset({
    "LLM_API_KEY", "SMTP_PASSWORD", "RESEARCH_PAYLOAD_KEY", "RESEARCH_PAYLOAD_OLD_KEYS",
    "TEMPORAL_API_KEY", "TAVILY_API_KEY", "BRAVE_API_KEY", "RESEARCH_CODEC_TOKEN",
    "RESEARCH_WEB_TOKEN",
})
_SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH")


def is_secret_var(name: str) -> bool:
    """Whether an environment variable holds (or leads to) a credential."""
    upper = name.upper()
    return (name in SECRET_VARS or upper.startswith("AWS_")
            or any(word in upper for word in _SECRET_WORDS))


def is_worker_var(name: str) -> bool:
    """Whether a variable is one of the worker's own settings or credentials (its LLM,
    payload, SMTP, AWS keys ...), which an MCP server is never given."""
    return name in ENV_VARS or name.startswith(("RESEARCH_", "AWS_", "LLM_")) \
        or name in _PROVIDER_KEYS


# The keys litellm reads for the common providers: the worker's LLM keys.
_PROVIDER_KEYS = frozenset({
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
    "MISTRAL_API_KEY", "GROQ_API_KEY", "OPENROUTER_API_KEY", "COHERE_API_KEY",
    "DEEPSEEK_API_KEY", "XAI_API_KEY", "TOGETHERAI_API_KEY", "AZURE_API_KEY",
})


# Largest accepted values (seconds) where a bigger one is accepted by Python but breaks
# later: REVIEW_TIMEOUT=1e14 overflowed every review timer of every report.
_MAXIMA: dict[str, float] = {"review_timeout_s": 366 * 86400,
                              "llm_judge_batch": JUDGE_BATCH_MAX}
# Smallest accepted values where 0 means nothing (a batch of no pairs asks no judge).
_MINIMA: dict[str, float] = {"llm_judge_batch": 1}

# Variables the environment may not set blank. Elsewhere blank is unset (a template's
# empty line), but ``TEMPORAL_TASK_QUEUE=$QUEUE`` with QUEUE unset is a mistake that
# made a worker serve the shared default queue.
_NAMED_IN_ENVIRONMENT = ("TEMPORAL_TASK_QUEUE",)

_CHOICES: dict[str, set[str]] = {
    "embedded": {"auto", "never"},
    "llm_local": {"auto", "never"},
    "llm_structured_output": {s.value for s in StructuredOutput},
    "llm_tool_calling": {s.value for s in ToolCalling},
    "worker_cpu_pool": {s.value for s in CpuPool},
    "smtp_security": {"auto", "starttls", "ssl", "none"},
    "review_timeout_action": {"approve", "reject"},
    "search_provider": {"auto", "none", "searxng", "tavily", "brave", "ddgs"},
}


def _convert(var: str, name: str, raw: str) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    raw = raw.strip()
    if name == "mcp_servers":
        parse_mcp_servers(raw, is_worker_var)
        return raw
    if kind == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{var}={raw!r} is not a yes/no value", "use true or false")
    if kind in ("int", "float"):
        try:
            number = int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ConfigError(f"{var}={raw!r} is not a finite number")
        if number < 0:
            raise ConfigError(f"{var}={raw!r} must not be negative")
        if number < _MINIMA.get(name, number):
            raise ConfigError(f"{var}={raw!r} is under the minimum of {_MINIMA[name]:.0f}",
                              f"unset it for the default ({getattr(Settings, name)})")
        if number > _MAXIMA.get(name, number):
            raise ConfigError(f"{var}={raw!r} is over the maximum of {_MAXIMA[name]:.0f}",
                              "0 means no limit" if name not in _MINIMA else
                              f"unset it for the default ({getattr(Settings, name)})")
        return number
    if name in _CHOICES:
        if raw.lower() not in _CHOICES[name]:
            allowed = ", ".join(sorted(_CHOICES[name]))
            raise ConfigError(f"{var}={raw!r} is not one of: {allowed}",
                              f"set {var} to one of them, or unset it for the default")
        return raw.lower()
    if name == "smtp_from":
        from durable_research.addresses import check_sender

        try:
            return check_sender(raw)
        except UserError as exc:
            raise ConfigError(f"SMTP_FROM={raw!r} is not one sender address: {exc.message}",
                              "e.g. SMTP_FROM='Research Bot <bot@example.org>'") from None
    if name == "task_queue":
        try:
            return check_task_queue(raw, var)
        except UserError as exc:
            raise ConfigError(exc.message, exc.hint) from None
    if name == "search_ddgs_probe" and raw.lower() != DDGS_PROBE_OFF:
        match = _HOST_PORT.fullmatch(raw)
        if not match or not 0 < int(match.group(2)) < 65536:
            raise ConfigError(f"{var}={raw!r} is not host:port or off",
                              f"e.g. {var}={DDGS_PROBE_DEFAULT}")
    if name == "search_ddgs_probe":
        return raw.lower() if raw.lower() == DDGS_PROBE_OFF else raw
    if name == "embedding_model" and raw and not re.fullmatch(r"[\w.-]+/\S+", raw):
        # litellm routes by the provider prefix; a bare name fails every search later.
        raise ConfigError(f"{var}={raw!r} names no provider",
                          "write provider/model, e.g. openai/text-embedding-3-small or "
                          "ollama/nomic-embed-text")
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Read settings from ``environ`` over the user's config file over a ``.env`` file.

    Args:
        environ: Variables to use instead of ``os.environ``.
        env_file: The dotenv file; default ``RESEARCH_ENV_FILE``, else ``.env`` in the
            current directory. It may not set security settings.
        config_file: The user's config file; default ``RESEARCH_CONFIG_FILE``, else
            ``config.env`` in the user config dir. Trusted like the environment.

    Returns:
        The validated settings.

    Raises:
        ConfigError: A value has the wrong type or is not an allowed choice, the
            ``.env`` sets a security setting, or the config file is not private.
    """
    environ = os.environ if environ is None else environ
    config_file = config_file or default_config_file()
    env_file = env_file or default_env_file()
    merged = gather(environ, env_file, config_file,
                    known_vars=ENV_VARS, security_vars=SECURITY_VARS)
    values: dict[str, object] = {}
    for var in _NAMED_IN_ENVIRONMENT:
        if var in environ and not environ[var].strip():
            _convert(var, ENV_VARS[var], environ[var])  # raises ConfigError: blank
    for var, name in ENV_VARS.items():
        if var in merged and merged[var].strip() != "":
            try:
                values[name] = _convert(var, name, merged[var])
            except ConfigError as exc:  # three places may set it: say which one did
                where = ("the environment" if var in environ else str(config_file)
                         if var in read_config_file(config_file) else str(env_file))
                raise ConfigError(exc.message, "; ".join(
                    [*([exc.hint] if exc.hint else []), f"it is set in {where}"])) from None
    settings = Settings(**values)  # type: ignore[arg-type]  # each value converted to its field's type by _convert
    if bool(settings.temporal_tls_cert) != bool(settings.temporal_tls_key):
        raise ConfigError(
            "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be given together",
            "mTLS needs both the client certificate and its private key",
        )
    _check_payload_settings(settings)
    from durable_research.addresses import check_policy

    check_policy(settings.email_allowed)
    return settings


def _check_payload_settings(settings: Settings) -> None:
    """Validate the payload-encryption settings once, at load time.

    Raises:
        ConfigError: A key is not base64 of 32 bytes, or both a key and a key file are set.
    """
    if settings.payload_key and settings.payload_key_file:
        raise ConfigError(
            "RESEARCH_PAYLOAD_KEY and RESEARCH_PAYLOAD_KEY_FILE are both set",
            "give the payload key one way only (the file may list old keys after the first)",
        )
    if settings.payload_key:
        parse_key(settings.payload_key, "RESEARCH_PAYLOAD_KEY")
    parse_key_list(settings.payload_old_keys, "RESEARCH_PAYLOAD_OLD_KEYS")


def check_llm_settings(settings: Settings) -> None:
    """Fail early, in plain words, when the LLM cannot possibly be called.

    Raises:
        ConfigError: No model, a model without a provider, or the provider needs a key
            that is not set.
    """
    if not settings.llm_model:
        raise ConfigError(
            "No LLM is configured",
            "install the embedded offline model (make install does), or "
            "set LLM_MODEL (e.g. openai/gpt-4o-mini, anthropic/claude-3-5-haiku-latest, "
            "ollama/llama3.2) and LLM_API_KEY in the environment, your config file or a "
            ".env file; for any OpenAI-compatible server also set LLM_API_BASE (e.g. "
            "http://127.0.0.1:8000/v1) in the environment or your config file",
        )
    keyed = bool(settings.llm_api_key or settings.llm_api_base)
    if keyed and "/" in settings.llm_model:
        return  # litellm is slow to import: only when a key or the provider is in doubt
    import litellm

    litellm.suppress_debug_info = True  # else it prints provider hints to stdout
    try:
        litellm.get_llm_provider(settings.llm_model, api_base=settings.llm_api_base or None)
    except Exception:  # noqa: BLE001 - litellm raises several kinds for "no provider"
        # Else the report starts and its first LLM call fails (the provider is not set).
        raise ConfigError(
            f"LLM model {settings.llm_model!r} names no provider litellm knows",
            "write it as provider/model, e.g. openai/gpt-4o-mini, "
            "anthropic/claude-3-5-haiku-latest, ollama/llama3.2 "
            "(https://docs.litellm.ai/docs/providers)",
        ) from None
    if keyed:
        return
    try:
        env = litellm.validate_environment(model=settings.llm_model)
    except Exception:  # noqa: BLE001 - let the call itself report what it finds
        return
    if not env.get("keys_in_environment", True):
        missing = ", ".join(env.get("missing_keys") or []) or "an API key"
        raise ConfigError(
            f"No API key for LLM model {settings.llm_model!r}",
            f"set LLM_API_KEY (or {missing}) in the environment or a .env file",
        )
