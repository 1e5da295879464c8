"""The embedded mode's worker: a supervised worker process next to the embedded server.

``research run`` used to host a worker in its own process, paying for importing the
LLM stack (seconds) on every run. With the embedded dev server, a detached
supervisor (``durable_research.supervisor``) keeps worker processes running instead;
:func:`ensure_worker` starts it, or restarts it when the installed code or the
worker's settings changed, and ``research server --stop`` stops it with the server.

Light on imports on purpose: the CLI calls this before anything slow.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

from durable_research import devserver
from durable_research.config import ENV_VARS, Settings
from durable_research.private import open_private, private_dir, write_private
from durable_research.procs import (
    ArgvCheck,
    file_lock,
    is_ours,
    option_value,
    start_time,
    terminate,
)

PID_FILE = "worker-supervisor.pid"
LOCK_FILE = "worker-supervisor.lock"
LOG_FILE = "worker.log"
MODULE = "durable_research.supervisor"
# Provider variables litellm and boto3 read themselves: they change what a worker does.
_PASSED_SUFFIXES = ("_API_KEY", "_API_BASE", "_API_VERSION")
_PASSED_PREFIXES = ("AWS_", "OPENAI_", "ANTHROPIC_", "AZURE_", "GEMINI_", "OLLAMA_")


@dataclass(frozen=True)
class SupervisorInfo:
    """The running supervisor: pid and the fingerprint it was started with."""

    pid: int
    fingerprint: str
    log_file: Path


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
    # Everything is in the environment already: no .env of the worker's cwd applies.
    env["RESEARCH_ENV_FILE"] = os.devnull + "/.env"
    return env


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
        return MODULE in argv and option_value(argv, "--data-dir") == str(data_dir)

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
    return SupervisorInfo(pid, str(raw.get("fingerprint", "")), data_dir / LOG_FILE)


def ensure_worker(settings: Settings, workers: int = 1) -> SupervisorInfo | None:
    """Make sure a supervised worker serves the embedded server of ``settings``.

    The one call for every front end (CLI, web page). With no LLM configured, the
    embedded offline model is started for the worker. Returns at once (the worker
    may still be starting; work waits in its queue).

    Returns:
        The supervisor, or None when ``settings`` do not point at this data dir's
        embedded server (a cluster: run ``research worker`` or host one in-process).
    """
    if not embedded_mode(settings):
        return None
    if settings.wants_local_llm:  # the worker calls the embedded offline model
        from durable_research.localmodel import settings_with_local_llm

        settings, _endpoint = settings_with_local_llm(settings)
    data_dir = private_dir(devserver.absolute(settings.data_path))
    env = worker_environment(settings)
    wanted = fingerprint(env)
    with file_lock(data_dir / LOCK_FILE):
        running = running_supervisor(data_dir)
        if running is not None and running.fingerprint == wanted:
            return running
        if running is not None:  # other code or other settings: replace it
            terminate(running.pid, 20, _check(data_dir))
        return _spawn(data_dir, env, wanted, workers)


def _spawn(data_dir: Path, env: dict[str, str], wanted: str, workers: int) -> SupervisorInfo:
    cmd = [sys.executable, "-m", MODULE, "--data-dir", str(data_dir), "--workers", str(workers)]
    log_file = data_dir / LOG_FILE
    with open_private(log_file, "ab") as log:
        # Its own session: it outlives this command and ignores the terminal's Ctrl-C.
        proc = subprocess.Popen(cmd, env=env, cwd=data_dir, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                umask=0o077)
    write_private(data_dir / PID_FILE, json.dumps(
        {"pid": proc.pid, "started": start_time(proc.pid), "fingerprint": wanted}) + "\n")
    return SupervisorInfo(proc.pid, wanted, log_file)


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
