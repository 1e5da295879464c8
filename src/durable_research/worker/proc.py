"""One worker process run by the supervisor (``python -m durable_research.worker.proc``).

It imports what polling needs (about a second) and warms up the rest in the
background: the LLM stack (litellm: 3-4 s, imported by the first call otherwise) and
the fonts. Once warm it says ``ready`` on its status pipe. It polls when it reads
``go`` on stdin, warm or not: a *standby* is told after it is ready, so a crashed
worker's replacement polls within a fraction of a second, fully warm; the first
worker of a supervisor is told at once, so it polls first and warms up after. While
it runs it reports each activity attempt it starts and ends (``+token<TAB>workflow
id<TAB>run id`` / ``-token``): if it dies, the supervisor fails the attempts it left
behind at once instead of waiting for their heartbeat timeouts.

Its stdin is the supervisor's pipe: when that closes (the supervisor is gone), the
worker shuts down, so no orphan keeps polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from durable_research.activities import procpool
from durable_research.client.connection import connect
from durable_research.config import load_settings
from durable_research.heap import freeze_startup_heap
from durable_research.worker import build as app_worker

# The status pipe is the process's original stdout; stdout itself goes to the log, so
# a stray print can never corrupt the protocol.
_STATUS_FD = os.dup(1)
os.dup2(2, 1)
_status_lock = threading.Lock()


def say(line: str) -> None:
    """Send one status line to the supervisor."""
    with _status_lock:
        try:
            os.write(_STATUS_FD, (line + "\n").encode())
        except OSError:
            pass  # the supervisor is gone; stdin's EOF will stop us


class _Reporting(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:  # noqa: A002 - temporalio's parameter name
        info = activity.info()
        token = info.task_token.hex()
        # The workflow too: its sticky queue on this worker is reset if it dies.
        say(f"+{token}\t{info.workflow_id}\t{info.workflow_run_id}")
        try:
            return await super().execute_activity(input)
        finally:
            say(f"-{token}")


class ReportAttempts(Interceptor):
    """Tell the supervisor which activity attempts this worker is running."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:  # noqa: A002 - temporalio's parameter name
        return _Reporting(super().intercept_activity(next))


async def serve(stop: asyncio.Event, warm_up_then: bool = False) -> None:
    """Connect, poll until ``stop`` is set, then shut down gracefully.

    ``warm_up_then``: start the warm-up once polling (a cold start told to go at once).
    """
    settings = load_settings()
    conn = await connect(settings, allow_embedded=False)
    worker = app_worker.build_worker(conn.client, settings, interceptors=[ReportAttempts()])
    async with worker:
        say("polling")
        warm = asyncio.ensure_future(warm_up()) if warm_up_then else None
        await stop.wait()
        if warm is not None:
            warm.cancel()


async def warm_up() -> None:
    """Pay the first report's one-off costs before it needs them.

    Importing litellm (in a thread: the worker may be polling already), its first call
    (it imports much of itself then) and the first render (it loads and parses the
    fonts): about 5 s of a fresh process on 2 cores, most of it the import. The call is
    made on the loop the worker runs on (litellm binds its logging to it). The TLS
    contexts of search and page fetching too (``research.tls``: 34 ms each, out of the
    event loop). With ``WORKER_CPU_POOL=processes`` the renders happen in the worker's
    process pool: it is started and its children warm up instead (a standby's pool is
    ready when it is told to go; the worker shares it).
    """
    import tempfile
    from pathlib import Path

    from durable_research.contract.report import ReportContent
    from durable_research.layout import write_report
    from durable_research.llm.calls import litellm_module
    from durable_research.research.tls import ssl_context

    in_processes = app_worker.cpu_processes(load_settings()) > 0
    try:
        for trust_env in (True, False):
            await asyncio.to_thread(ssl_context, trust_env)
        litellm = await asyncio.to_thread(litellm_module)
        await litellm.acompletion(model="openai/warm-up", mock_response="ok",
                                  messages=[{"role": "user", "content": "warm-up"}])
        # After litellm, as the in-process render was: the first report waits for
        # litellm, not for the pool (a polling worker's pool warms from its start anyway).
        if in_processes:
            await procpool.warm()
        else:
            with tempfile.TemporaryDirectory() as tmp:
                content = ReportContent(question="warm-up", body_markdown="Warm-up.",
                                        model="-", date="2000-01-01")
                await asyncio.to_thread(write_report, content, Path(tmp), "warm-up", ["pdf"],
                                        True)
    except Exception as exc:  # noqa: BLE001 - a cold first report is still a report
        print(f"worker warm-up failed: {exc}", file=sys.stderr)
    # Out of the collector's full passes: the fonts and litellm's caches it loaded (a
    # worker already serving freezes its first report's objects too, once).
    freeze_startup_heap(again=True)
    say("ready")


async def run() -> None:
    """Warm up until told to go (or until the supervisor goes), then serve; the process
    pool started for the warm-up is shut down at the end (the worker's own hold on it
    ends when it stops).

    Told before it started (the supervisor's first worker), it polls first and warms up
    after: a warm-up running meanwhile takes half the CPU the connection and the
    worker's set-up need (the import holds the GIL), and delayed polling by a second
    on 2 cores. A standby told later goes on warming up while it connects.
    """
    size = app_worker.cpu_processes(load_settings())
    if size:
        procpool.start(size)
    try:
        await _told_then_serve()
    finally:
        if size:
            await procpool.stop()


async def _told_then_serve() -> None:
    loop = asyncio.get_running_loop()
    told_already = bool(select.select([sys.stdin], [], [], 0)[0])
    warm = None if told_already else asyncio.ensure_future(warm_up())
    # From the start, not once told to go: the supervisor stops a standby with SIGTERM
    # too, and one that died of the signal left its warm process pool to the resource
    # tracker ("There appear to be 7 leaked semaphore objects" in worker.log at each
    # `research server --stop`). Now every stop ends in run()'s clean-up.
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    told: asyncio.Future[str] = loop.create_future()

    def on_loop(callback: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has ended: we are exiting
            loop.call_soon_threadsafe(callback, *args)

    def tell(line: str) -> None:
        if not told.done():
            told.set_result(line)

    def read_stdin() -> None:
        # A daemon thread, not the loop's executor, whose threads asyncio.run waits for:
        # a standby stopped by a signal would wait for a line that never comes.
        line = sys.stdin.readline()
        on_loop(tell, line)
        if line.strip() == "go":
            sys.stdin.read()  # returns at EOF: the supervisor died
        on_loop(stop.set)

    threading.Thread(target=read_stdin, daemon=True).start()
    stopping = asyncio.ensure_future(stop.wait())
    waiting: list[asyncio.Future[Any]] = [told, stopping]
    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if not told.done() or told.result().strip() != "go":
        stopping.cancel()
        if warm is not None:
            warm.cancel()
        return  # stopped, or the supervisor closed the pipe: it no longer needs a standby
    stopping.cancel()
    await serve(stop, warm_up_then=warm is None)
    if warm is not None:
        warm.cancel()


def main() -> None:
    """Run the worker process."""
    asyncio.run(run())
    sys.stdout.flush()
    # Skip the interpreter's teardown: the client's native threads can abort it.
    os._exit(0)


if __name__ == "__main__":
    main()
