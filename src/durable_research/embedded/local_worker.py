"""The embedded mode's worker: a supervised worker process next to the embedded server.

``research run`` used to host a worker in its own process, paying for importing the
LLM stack (seconds) on every run. With the embedded dev server, a detached
supervisor (``durable_research.worker.supervisor``) keeps worker processes running instead;
:func:`ensure_worker` starts it, or restarts it when the installed code or the
worker's other settings changed, and ``research server --stop`` stops it with the server.
It outlives the command and serves every later one, so a command never changes its
security settings (``SECURITY_VARS``): one whose values differ is refused, naming them.

Light on imports on purpose: the CLI calls this before anything slow.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from durable_research.config import ENV_VARS, SECURITY_VARS, Settings
from durable_research.embedded import devserver
from durable_research.embedded.procs import (
    ArgvCheck,
    file_lock,
    is_ours,
    leave_running,
    option_value,
    start_time,
    terminate,
)
from durable_research.errors import UserError
from durable_research.private import open_private, private_dir, write_private

PID_FILE = "worker-supervisor.pid"
LOCK_FILE = "worker-supervisor.lock"
LOG_FILE = "worker.log"
MODULE = "durable_research.worker.supervisor"
# The supervisor's module before issue 24's layout: one started by an older install (it
# outlives the command) is still recognised, so an upgrade stops and replaces it instead
# of starting a second supervisor next to it.
FORMER_MODULES = ("durable_research.supervisor",)
# Provider variables litellm and boto3 read themselves: they change what a worker does.
_PASSED_SUFFIXES = ("_API_KEY", "_API_BASE", "_API_VERSION")
_PASSED_PREFIXES = ("AWS_", "OPENAI_", "ANTHROPIC_", "AZURE_", "GEMINI_", "OLLAMA_")


@dataclass(frozen=True)
class SupervisorInfo:
    """The running supervisor: pid and the fingerprint it was started with."""

    pid: int
    fingerprint: str
    log_file: Path
    # Salted digests of its security settings (never the values: some are secrets).
    security: dict[str, str] = field(default_factory=dict)
    salt: str = ""


def embedded_mode(settings: Settings) -> bool:
    """Whether the embedded dev server of this data dir is the server of ``settings``."""
    if settings.embedded != "auto" or not devserver.is_local(settings.temporal_address):
        return False
    return devserver.serves(settings.temporal_address, settings.data_path)


def _env_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def worker_environment(settings: Settings) -> dict[str, str]:
    """The worker's environment: the settings as resolved here (.env and cwd included)."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    names = {f.name for f in fields(Settings)}
    for var, name in ENV_VARS.items():
        if name in names:
            env[var] = _env_value(getattr(settings, name))
    # Relative folders mean the caller's cwd; the detached processes run elsewhere.
    env["RESEARCH_OUTPUT_DIR"] = str(settings.output_path)
    env["RESEARCH_DATA_DIR"] = str(devserver.absolute(settings.data_path))
    if settings.store:
        env["RESEARCH_STORE"] = str(settings.store_path) if "://" not in settings.store \
            else settings.store
    # Everything is in the environment already: no .env or config file applies.
    env["RESEARCH_ENV_FILE"] = os.devnull + "/.env"
    env["RESEARCH_CONFIG_FILE"] = os.devnull + "/config.env"
    return env


def _as_configured(settings: Settings) -> dict[str, str]:
    """The worker environment of ``settings`` as the user configured them.

    The embedded offline model's endpoint, filled in by :func:`ensure_worker` or by
    the caller before, is not a setting: LLM_API_BASE stays empty.
    """
    env = worker_environment(settings)
    if settings.llm_api_base:
        from durable_research.embedded.localmodel import running_local_llm

        local = running_local_llm(settings.data_path)
        if local is not None and local.api_base == settings.llm_api_base:
            env["LLM_API_BASE"] = ""
    return env


def security_digests(env: Mapping[str, str], salt: str) -> dict[str, str]:
    """Salted digests of the security settings in a worker environment, by variable."""
    return {var: hashlib.sha256(f"{salt}\0{var}={env.get(var, '')}".encode()).hexdigest()
            for var in sorted(SECURITY_VARS)}


def check_security(running: SupervisorInfo, env: Mapping[str, str]) -> None:
    """Refuse to replace a worker whose security settings differ from ``env``'s.

    Raises:
        UserError: Naming every security setting that differs.
    """
    if not running.security:
        return  # started by a version that did not record them: its code differs anyway
    wanted = security_digests(env, running.salt)
    differ = sorted(var for var, digest in wanted.items() if running.security.get(var) != digest)
    if differ:
        raise UserError(
            f"The background worker (pid {running.pid}) runs with other security settings "
            f"than this command: {', '.join(differ)} {'differs' if len(differ) == 1 else 'differ'}"
            ". A command never changes them: "
            "they decide who can use the worker and where reports, mail and credentials go",
            "if this command's values are the ones you want, stop the worker with "
            "`research server --stop` and run the command again; otherwise run it with the "
            "settings of your environment and config file",
        )


def _code_stamp() -> str:
    """The installed code: version and the newest source file's time (editable installs)."""
    import durable_research

    package = Path(durable_research.__file__).parent
    newest = max((p.stat().st_mtime_ns for p in package.rglob("*.py")), default=0)
    return f"{durable_research.__version__}:{newest}:{sys.executable}"


def fingerprint(env: dict[str, str]) -> str:
    """What a running worker must match: the code and every setting it reads."""
    digest = hashlib.sha256(_code_stamp().encode())
    for key in sorted(env):
        if key in ENV_VARS or key.endswith(_PASSED_SUFFIXES) or key.startswith(_PASSED_PREFIXES):
            digest.update(f"{key}={env[key]}\0".encode())
    return digest.hexdigest()


def _check(data_dir: Path) -> ArgvCheck:
    def check(argv: list[str]) -> bool:
        named = any(module in argv for module in (MODULE, *FORMER_MODULES))
        return named and option_value(argv, "--data-dir") == str(data_dir)

    return check


def running_supervisor(data_dir: Path) -> SupervisorInfo | None:
    """The supervisor of ``data_dir`` if it runs (its pid and command line verified)."""
    data_dir = devserver.absolute(data_dir)
    try:
        raw = json.loads((data_dir / PID_FILE).read_text())
        pid, started = int(raw["pid"]), raw.get("started")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not is_ours(pid, _check(data_dir), int(started) if started is not None else None):
        return None
    security = raw.get("security")
    return SupervisorInfo(pid, str(raw.get("fingerprint", "")), data_dir / LOG_FILE,
                          dict(security) if isinstance(security, dict) else {},
                          str(raw.get("salt", "")))


def check_running_worker(settings: Settings) -> None:
    """Refuse now what :func:`ensure_worker` would refuse later: a supervised worker that
    runs with other security settings (read only: nothing is started or created).

    For a command to call before work it would waste (reading ``--sources``); a worker
    that starts or changes meanwhile is checked again by :func:`ensure_worker`.

    Raises:
        UserError: As :func:`check_security`.
    """
    if not embedded_mode(settings):
        return
    running = running_supervisor(devserver.absolute(settings.data_path))
    if running is not None:
        check_security(running, _as_configured(settings))


def ensure_worker(settings: Settings, workers: int = 1, wait_for_model: bool = True,
                  ) -> SupervisorInfo | None:
    """Make sure a supervised worker serves the embedded server of ``settings``.

    The one call for every front end (CLI, web page). With no LLM configured, the
    embedded offline model is started for the worker and, unless ``wait_for_model``
    is False, waited for (False: the worker starts while the model loads; its caller
    waits before it starts a report). Returns at once (the worker may still be
    starting; work waits in its queue).

    Returns:
        The supervisor, or None when ``settings`` do not point at this data dir's
        embedded server (a cluster: run ``research worker`` or host one in-process).

    Raises:
        UserError: A supervisor runs with other security settings (see
            :func:`check_security`); it is left as it is.
    """
    if not embedded_mode(settings):
        return None
    configured = _as_configured(settings)
    if settings.wants_local_llm:  # the worker calls the embedded offline model
        from durable_research.embedded.localmodel import settings_with_local_llm

        settings, _endpoint = settings_with_local_llm(settings, wait=wait_for_model)
    data_dir = private_dir(devserver.absolute(settings.data_path))
    env = worker_environment(settings)
    wanted = fingerprint(env)
    with file_lock(data_dir / LOCK_FILE):
        running = running_supervisor(data_dir)
        if running is not None:
            check_security(running, configured)
        if running is not None and running.fingerprint == wanted:
            return running
        if running is not None:  # other code or other (convenience) settings: replace it
            terminate(running.pid, 20, _check(data_dir))
        return _spawn(data_dir, env, wanted, workers, configured)


def _spawn(data_dir: Path, env: dict[str, str], wanted: str, workers: int,
           configured: Mapping[str, str]) -> SupervisorInfo:
    cmd = [sys.executable, "-m", MODULE, "--data-dir", str(data_dir), "--workers", str(workers)]
    log_file = data_dir / LOG_FILE
    salt = os.urandom(16).hex()
    security = security_digests(configured, salt)
    with open_private(log_file, "ab") as log:
        # Its own session: it outlives this command and ignores the terminal's Ctrl-C.
        proc = subprocess.Popen(cmd, env=env, cwd=data_dir, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                umask=0o077)
    leave_running(proc)
    write_private(data_dir / PID_FILE, json.dumps(
        {"pid": proc.pid, "started": start_time(proc.pid), "fingerprint": wanted,
         "security": security, "salt": salt}) + "\n")
    return SupervisorInfo(proc.pid, wanted, log_file, security, salt)


def stop_worker(data_dir: Path, timeout_s: float = 20.0) -> bool:
    """Stop the supervisor of ``data_dir`` and its workers; False if none ran."""
    data_dir = devserver.absolute(data_dir)
    if not data_dir.is_dir():
        return False
    with file_lock(data_dir / LOCK_FILE):
        running = running_supervisor(data_dir)
        if running is not None:
            terminate(running.pid, timeout_s, _check(data_dir))
        (data_dir / PID_FILE).unlink(missing_ok=True)
    return running is not None


def stop_embedded(data_dir: Path, timeout_s: float = 15.0) -> bool:
    """Stop the embedded mode of ``data_dir``: its workers, then its server.

    Workers first: they would only retry against a server that is going away. Returns
    whether a server ran (as :func:`~durable_research.embedded.devserver.stop_server`).
    """
    stop_worker(data_dir)
    return devserver.stop_server(data_dir, timeout_s)
