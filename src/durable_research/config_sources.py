"""Where settings come from, and which of them each source may set.

Three sources, the first that sets a variable wins:

1. the process environment;
2. the user's config file, ``RESEARCH_CONFIG_FILE`` or else ``config.env`` in the user
   config dir (``~/.config/durable-research/config.env`` on Linux): dotenv syntax,
   trusted like the environment, so it must be a file only its owner (or root) can
   change;
3. a ``.env`` file in the current folder (``RESEARCH_ENV_FILE`` names another one).

A ``.env`` comes with whatever folder the CLI runs in — a cloned repository, an
unpacked download — so it is not trusted: it may set conveniences (the model, its
key, timeouts, the output folder) but no security setting (``SECURITY_VARS``); one
that tries is refused, naming the settings, before anything runs. And a secret of a
trusted source is never sent to an endpoint the ``.env`` chose.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path

from platformdirs import user_config_dir

from durable_research.errors import ConfigError
from durable_research.private import check_not_shared

CONFIG_FILE_NAME = "config.env"


def default_config_file() -> Path:
    """The user's config file: ``RESEARCH_CONFIG_FILE``, else one in the user config dir."""
    named = os.environ.get("RESEARCH_CONFIG_FILE", "").strip()
    if named:
        return Path(named).expanduser()
    return Path(user_config_dir("durable-research")) / CONFIG_FILE_NAME


def default_env_file() -> Path:
    """The untrusted ``.env``: ``RESEARCH_ENV_FILE``, else ``.env`` in the current folder."""
    return Path(os.environ.get("RESEARCH_ENV_FILE", ".env"))


def _read(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only where a file is there to read: ~10 ms

    try:
        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}", "check the file and its permissions") \
            from None


def read_config_file(path: Path) -> dict[str, str]:
    """The user's config file's settings ({} when there is none).

    Raises:
        ConfigError: Another user owns it, or others may write it, or it is unreadable.
    """
    if not path.is_file():
        return {}
    check_not_shared(path, "The config file")
    return _read(path)


def read_env_file(
    path: Path, config_file: Path, security_vars: Collection[str]
) -> dict[str, str]:
    """The ``.env`` file's settings, refused if it sets a security setting (one of
    ``security_vars``: config's ``SECURITY_VARS``).

    Raises:
        ConfigError: Naming every security setting it sets (non-empty values only:
            an empty one changes nothing) and where they belong instead.
    """
    values = _read(path)
    refused = sorted(var for var in security_vars if values.get(var, "").strip())
    if refused:
        raise ConfigError(
            f"{path} sets security settings a .env file may not set: {', '.join(refused)} "
            "(a .env comes with the folder, and these decide who can use your worker and "
            "where your reports, mail and credentials go)",
            f"put them in the environment or in your config file {config_file} (only you can "
            f"change it); or ignore this .env with RESEARCH_ENV_FILE={os.devnull}",
        )
    return values


def gather(
    environ: Mapping[str, str], env_file: Path | None = None, config_file: Path | None = None,
    *, known_vars: Collection[str], security_vars: Collection[str],
) -> dict[str, str]:
    """Every variable from the three sources, the environment's first.

    ``known_vars`` and ``security_vars`` are config's ``ENV_VARS`` and ``SECURITY_VARS``,
    passed in: this module decides where values come from, config what they mean (and
    config imports this one, so importing config here would be a cycle).

    Raises:
        ConfigError: As :func:`read_env_file`, :func:`read_config_file` and
            :func:`check_no_redirect`.
    """
    config_path = config_file or default_config_file()
    trusted = {**read_config_file(config_path), **environ}
    env_path = env_file or default_env_file()
    untrusted = read_env_file(env_path, config_path, security_vars)
    check_no_redirect(trusted, untrusted, env_path, known_vars)
    return {**untrusted, **trusted}


# Secrets and the (non-security) settings that decide where they are sent: the model
# names the provider that receives the key. Endpoints that are security settings
# (LLM_API_BASE, SMTP_HOST, TEMPORAL_ADDRESS, S3_ENDPOINT_URL) cannot come from a .env.
_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "LLM_API_KEY": ("LLM_MODEL", "EMBEDDING_MODEL"),
}


def check_no_redirect(
    trusted: Mapping[str, str], from_file: Mapping[str, str], path: Path,
    known_vars: Collection[str],
) -> None:
    """Refuse a ``.env`` file that would send a secret of a trusted source elsewhere.

    A ``.env`` in an untrusted folder (a cloned repository) must not pick the model
    (and with it the provider) while the key comes from the user's environment or
    config file. Its own copy of the key changes nothing: the trusted one wins.

    Raises:
        ConfigError: Naming the secret and the endpoint variable and their sources.
    """
    secrets = dict(_ENDPOINTS)
    for var in trusted:
        if var.endswith("_API_KEY") and var not in secrets and var not in known_vars:
            # Provider keys litellm reads.
            secrets[var] = _ENDPOINTS["LLM_API_KEY"]
    for secret, endpoints in secrets.items():
        if not trusted.get(secret, "").strip():
            continue
        for endpoint in endpoints:
            if from_file.get(endpoint, "").strip() and endpoint not in trusted:
                raise ConfigError(
                    f"{endpoint} comes from {path} but {secret} comes from your environment "
                    "or config file: refusing to send your secret to an endpoint a .env "
                    "file chose",
                    f"set {endpoint} in the environment or your config file too",
                )
