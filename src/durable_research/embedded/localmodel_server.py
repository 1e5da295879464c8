"""The embedded model's server process: llama.cpp (``xllamacpp``) serving one GGUF file.

Started detached by :func:`durable_research.embedded.localmodel.ensure_local_llm`; it
publishes its address and access key in a state file (mode 0600) and serves
until SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

# Passed to the server through its environment, never on its command line.
KEY_ENV = "DURABLE_RESEARCH_LOCAL_LLM_KEY"
# Defaults chosen on the tardigrade benchmark (docs/local-model.md): a 135M model
# loops without a repeat penalty and rambles at higher temperatures.
DEFAULT_CTX = 8192
MAX_NEW_TOKENS = 1536
TEMPERATURE = 0.2
TOP_P = 0.9
REPEAT_PENALTY = 1.1


def default_threads() -> int:
    """Threads for token generation: half the cores, at least one.

    Measured on 2 cores while a Temporal server and worker share the box: 1 thread
    decodes at ~50 tokens/s, 2 threads drop to 6-20 tokens/s because llama.cpp's
    threads spin-wait for each other whenever one is preempted (docs/local-model.md).
    Prompt processing is compute-bound and uses every core (1.8x faster with 2).
    """
    return max(1, (os.cpu_count() or 2) // 2)


def write_state(state_file: Path, state: dict[str, object]) -> None:
    """Write ``state`` (with the access key) to ``state_file``, private, atomically."""
    tmp = state_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(state, out)
    os.replace(tmp, state_file)


def _serve(model_path: str, name: str, description: str, state_file: Path, threads: int,
           port: int = 0) -> int:
    """Load the model, serve it on 127.0.0.1 (``port``; 0: a free one), write the state
    file, wait."""
    import xllamacpp as xlc  # the runtime is only imported in the server process

    os.umask(0o077)  # anything this process creates is private (its starter sets it too)
    api_key = os.environ.pop(KEY_ENV, "")
    params = xlc.CommonParams()
    params.model.path = model_path
    params.model_alias = name
    params.hostnames = ["127.0.0.1"]
    # The starter's choice (it hands the address to a worker before the model has
    # loaded), else one the OS picks; published in the state file either way.
    params.port = port
    params.ui = False
    params.api_keys = [api_key] if api_key else []
    params.n_ctx = DEFAULT_CTX
    params.n_parallel = 1  # the whole context for one request; others queue
    params.n_predict = MAX_NEW_TOKENS  # a small model may never emit EOS
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = max(threads, os.cpu_count() or 1)
    params.sampling.temp = TEMPERATURE
    params.sampling.top_p = TOP_P
    params.sampling.penalty_repeat = REPEAT_PENALTY
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = xlc.Server(params)
    state = {
        "pid": os.getpid(),
        "api_base": f"{server.listening_address}/v1",
        "api_key": api_key,
        "name": name,
        "description": description,
        "model_path": model_path,
    }
    write_state(state_file, state)
    print(f"serving {model_path} at {state['api_base']}", flush=True)
    stop.wait()
    del server
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the background server process (``python -m ...localmodel_server serve``)."""
    parser = argparse.ArgumentParser(prog="python -m durable_research.embedded.localmodel_server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a GGUF model (used by ensure_local_llm)")
    serve.add_argument("--model-path", required=True)
    serve.add_argument("--name", required=True)
    serve.add_argument("--description", default="")
    serve.add_argument("--state-file", required=True, type=Path)
    serve.add_argument("--threads", type=int, default=0)
    serve.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    threads = args.threads or default_threads()
    return _serve(args.model_path, args.name, args.description, args.state_file, threads,
                  args.port)


if __name__ == "__main__":
    raise SystemExit(main())
