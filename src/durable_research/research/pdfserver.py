"""A helper process that reads each PDF (or office file) in a fresh, resource-limited fork.

``python -m durable_research.research.pdfhelper`` imports pypdf once, then serves
requests on stdin: a JSON header line (limits, kind, body size) and the document's bytes. For each
it forks a child that limits itself with ``setrlimit`` (CPU seconds, address space)
and reads the PDF; the server kills the child at the wall-clock limit and answers one
JSON line on stdout. The server is single-threaded, so forking it is safe, and a child
starts in milliseconds where a fresh interpreter spends 0.2 s (0.7 s without compiled
bytecode) importing pypdf. The parent side (:class:`PdfServers`) keeps a few idle
servers, one per concurrent reader; a server that stops answering is killed.

multiprocessing's fork server would do the forking, but re-imports the parent's main
module in the server and in every child.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

Answer = dict[str, Any]
# Statuses of an answer besides the reader's own ("ok", "error", "memory").
CPU, WALL, DIED = "cpu", "wall", "died"
MAX_IDLE = 4
# Beyond its wall limit, how long a server may take to answer before it is killed.
_SERVER_GRACE_S = 10.0
# The helper's entry point: the reader it serves (pdftext) imports this module, so the
# helper is started by name rather than imported from here.
HELPER_MODULE = "durable_research.research.pdfhelper"
# Variables the server keeps: none carries a secret (it reads hostile input).
_KEEP_ENV = ("PATH", "LANG", "LC_ALL", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")


class ServerError(Exception):
    """The helper process died or did not answer in time."""


class _Server:
    """One helper process and its pipes."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k in _KEEP_ENV}
        # The package's folder, so the server imports this very code (also from a checkout).
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", HELPER_MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env)

    def ask(self, header: Answer, body: bytes, timeout: float) -> Answer:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps({**header, "size": len(body)}).encode() + b"\n" + body)
            stdin.flush()
            line = stdout.readline() if _readable(stdout.fileno(), timeout) else b""
        except OSError as exc:
            raise ServerError(f"the PDF reader stopped ({exc})") from exc
        if not line:
            raise ServerError("the PDF reader did not answer")
        try:
            answer: Answer = json.loads(line)
        except ValueError as exc:
            raise ServerError("the PDF reader answered garbage") from exc
        return answer

    def close(self) -> None:
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()  # EOF: the server exits
            except OSError:
                pass
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` has data (or EOF) within ``timeout`` seconds; a selector, not
    ``select()``, which fails on the descriptor numbers over 1023 a busy worker has."""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        return bool(selector.select(timeout))


class PdfServers:
    """Idle helper processes, taken one per call (concurrent calls get their own)."""

    def __init__(self) -> None:
        self._idle: list[_Server] = []
        self._lock = threading.Lock()

    def read(self, body: bytes, limits: Answer, wall: float) -> Answer:
        """The answer of a child reading ``body`` under ``limits`` (and ``wall`` seconds).

        Raises:
            ServerError: The helper died or hung (it is killed; the next call starts one).
        """
        with self._lock:
            server = self._idle.pop() if self._idle else None
        while True:
            reused = server is not None and server.proc.poll() is None
            if server is not None and not reused:
                server.close()  # died while idle: its pipes, not just the process
            if server is None or not reused:
                server = _Server()
            try:
                answer = server.ask({**limits, "wall": wall}, body, wall + _SERVER_GRACE_S)
                break
            except ServerError:
                server.proc.kill()
                server.close()
                server = None
                if not reused:
                    raise
                # An idle helper may have died meanwhile (killed, say): once more, afresh.
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(server)
                return answer
        server.close()
        return answer

    def close(self) -> None:
        """Stop the idle helpers."""
        with self._lock:
            idle, self._idle = self._idle, []
        for server in idle:
            server.close()


# ---- the helper process ---------------------------------------------------------------

Reader = Callable[[bytes, Answer], Answer]


def serve(reader: Reader, stdin: IO[bytes], stdout: IO[bytes],
          prepare: Callable[[Answer], None] | None = None) -> int:
    """Answer requests until stdin ends: (prepare,) fork, limit, read, answer.

    ``reader(body, request)`` runs in the limited child; ``prepare(request)``, if given,
    runs in the server before the fork (to import what the request's kind of document
    needs once, for every later fork).
    """
    while line := stdin.readline():
        request = json.loads(line)
        body = stdin.read(request["size"])
        if prepare is not None:
            prepare(request)
        answer = _in_child(reader, body, request)
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()
    return 0


def _in_child(reader: Reader, body: bytes, request: Answer) -> Answer:
    """Run ``reader`` in a limited fork; its answer, or why it gave none."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            cpu = int(request["cpu"])
            # Soft CPU limit: SIGXCPU ends the process; the hard one a second later SIGKILL.
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            memory = int(request["memory"])
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            data = json.dumps(reader(body, request)).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + float(request["wall"])
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not _readable(read_end, left):
            os.kill(pid, signal.SIGKILL)
            timed_out = True
            break
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"status": WALL}
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return {"status": CPU}
    try:
        answer: Answer = json.loads(b"".join(chunks))
        return answer
    except ValueError:
        return {"status": DIED, "payload": f"exit status {status}"}
