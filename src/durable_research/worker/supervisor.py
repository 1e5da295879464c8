"""The embedded mode's worker supervisor (``python -m durable_research.worker.supervisor``).

Started detached by :func:`durable_research.embedded.local_worker.ensure_worker`. It keeps
``--workers`` worker processes (``worker.proc``) polling plus one warm standby:

- the first workers are told to poll as soon as they start (they warm up meanwhile:
  a first report does not wait for the LLM stack's import before its first step); the
  standby starts once they are warm, so it does not take the CPU they start with;
- a worker that exits is replaced by the standby at once (it has already imported
  everything, so it polls within a fraction of a second) and a new standby starts;
- the activity attempts the dead worker was running are failed right away
  (``WorkerLost``, which the workflows treat like the heartbeat timeout the server
  would report seconds later), so their retries start after the retry policy's
  backoff instead of after the timeout;
- a worker that keeps dying at start is restarted with a growing delay;
- it stops with SIGTERM (``research server --stop``), or on its own when the
  embedded server has been gone for a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from durable_research.embedded import devserver

if TYPE_CHECKING:
    from temporalio.client import Client

# What it needs only once a worker died (temporalio's client, the settings, the
# failure type) is imported then: its first worker is spawned sooner. The supervisor's
# start is on a first report's path: importing this module took 0.45 s of CPU with them
# and 0.14 s without (2 cores, `import durable_research.worker.supervisor`).

# A worker that dies sooner than this after its start counts as a crash loop.
SHORT_LIFE_S = 10.0
MAX_BACKOFF_S = 30.0
SERVER_GONE_S = 60.0
# Logged when the standby has warmed up: from then on the workers use no CPU while idle.
STANDBY_WARM = "standby warm"


def log(message: str) -> None:
    """One line to the supervisor's log."""
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} supervisor: {message}", flush=True)


class Child:
    """A worker process and what it reported on its status pipe."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        """Start reading the status pipe of ``proc``."""
        self.proc = proc
        self.started = time.monotonic()
        self.ready = asyncio.Event()
        # Running attempts: task token (hex) -> (workflow id, run id).
        self.tokens: dict[str, tuple[str, str]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := (await self.proc.stdout.readline()).decode().strip():
            if line == "ready":
                self.ready.set()
            elif line.startswith("+"):
                token, _, rest = line[1:].partition("\t")
                workflow_id, _, run_id = rest.partition("\t")
                self.tokens[token] = (workflow_id, run_id)
            elif line.startswith("-"):
                self.tokens.pop(line[1:], None)

    async def until_ready(self) -> bool:
        """Wait until the child is warm; False if it exited instead."""
        exited = asyncio.create_task(self.proc.wait())
        ready = asyncio.create_task(self.ready.wait())
        await asyncio.wait({exited, ready}, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        ready.cancel()
        return self.ready.is_set() and self.proc.returncode is None

    def go(self) -> None:
        """Put the child to work: it connects and polls (warm or still warming up)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")

    async def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM (a standby too: it shuts its process pool down), then SIGKILL after
        ``grace_s``."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        self.reader.cancel()


async def spawn() -> Child:
    """Start a worker process as a standby."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "durable_research.worker.proc",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None)
    return Child(proc)


class Supervisor:
    """Keeps the workers running; fails a dead worker's attempts at once."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        """Supervise ``workers`` processes for the embedded server of ``data_dir``."""
        self.data_dir, self.size = data_dir, max(1, workers)
        self.active: list[Child] = []
        self.standby: Child | None = None
        self.stop = asyncio.Event()
        self._client: Client | None = None
        self._crashes = 0
        self._pending: set[asyncio.Task[None]] = set()  # standbys waiting to start

    async def client(self) -> Client:
        """A client of the server (for failing attempts), connected once."""
        if self._client is None:
            from durable_research.client.connection import connect
            from durable_research.config import load_settings

            self._client = (await connect(load_settings(), allow_embedded=False)).client
        return self._client

    async def fail_attempts(self, tokens: dict[str, tuple[str, str]]) -> None:
        """Fail a dead worker's running attempts the way its heartbeat timeout would.

        Their workflows' next tasks would also wait for the dead worker's sticky queue
        to time out (1 s): their stickiness is reset first.
        """
        from temporalio.exceptions import ApplicationError

        from durable_research.workflows.steps import WORKER_LOST

        for workflow_id, run_id in set(tokens.values()):
            await self.reset_sticky(workflow_id, run_id)
        for token in tokens:
            error = ApplicationError("the worker running this attempt died (seen by its "
                                     "supervisor)", type=WORKER_LOST)
            try:
                handle = (await self.client()).get_async_activity_handle(
                    task_token=bytes.fromhex(token))
                await handle.fail(error)
            except Exception as exc:  # noqa: BLE001 - finished meanwhile, or server away
                log(f"could not fail an attempt of the dead worker: {exc}")
        if tokens:
            log(f"failed {len(tokens)} attempt(s) of the dead worker; their retries follow")

    async def reset_sticky(self, workflow_id: str, run_id: str) -> None:
        """Send the workflow's next task to the shared queue, not the dead worker's."""
        from temporalio.api.common.v1 import WorkflowExecution
        from temporalio.api.workflowservice.v1 import ResetStickyTaskQueueRequest

        try:
            client = await self.client()
            await client.workflow_service.reset_sticky_task_queue(ResetStickyTaskQueueRequest(
                namespace=client.namespace,
                execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id)))
        except Exception as exc:  # noqa: BLE001 - only a second is at stake
            log(f"could not reset the sticky queue of {workflow_id}: {exc}")

    async def promote(self) -> None:
        """Put a worker to work: the standby, or a new process when there is none.

        The standby goes to work warm or not: it has had a head start on a new process.
        The next standby starts once the promoted worker is warm.
        """
        while True:
            child, self.standby = self.standby, None
            child = child or await spawn()
            if child.proc.returncode is None:
                break
            await self.backoff(child)  # the standby died while standing by
        child.go()
        self.active.append(child)
        task = asyncio.create_task(self.standby_after(child))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def standby_after(self, child: Child) -> None:
        """Start the next standby once ``child`` is warm (not while it starts up)."""
        if not await child.until_ready():
            return  # it died starting: the run loop replaces it
        if self.standby is None and not self.stop.is_set():
            new = await spawn()
            if self.standby is None:
                self.standby = new
            else:  # another worker's warm-up started one meanwhile
                await new.stop()
        standby = self.standby
        log(f"worker pid {child.proc.pid} polling and warm; "
            f"{f'standby pid {standby.proc.pid}' if standby else 'no standby'}")
        if standby is not None and await standby.until_ready():
            log(f"{STANDBY_WARM} (pid {standby.proc.pid})")

    async def backoff(self, child: Child) -> None:
        """Wait longer after each worker that died young (a crash loop)."""
        if time.monotonic() - child.started < SHORT_LIFE_S:
            self._crashes += 1
            delay = min(MAX_BACKOFF_S, 0.5 * 2 ** self._crashes)
            log(f"worker pid {child.proc.pid} died at start (code {child.proc.returncode}); "
                f"next try in {delay:.1f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
        else:
            self._crashes = 0

    async def run(self) -> None:
        """Supervise until stopped."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        gone_since: float | None = None
        try:
            while not self.stop.is_set():
                while len(self.active) < self.size and not self.stop.is_set():
                    await self.promote()
                waits = {asyncio.create_task(c.proc.wait()): c for c in self.active}
                stopping = asyncio.create_task(self.stop.wait())
                await asyncio.wait({*waits, stopping}, timeout=5,
                                   return_when=asyncio.FIRST_COMPLETED)
                for task, child in waits.items():
                    task.cancel()
                    if child.proc.returncode is not None:
                        await child.reader  # every line it wrote before dying
                        self.active.remove(child)
                        log(f"worker pid {child.proc.pid} exited (code "
                            f"{child.proc.returncode})")
                        await asyncio.gather(self.fail_attempts(child.tokens), self.promote())
                        await self.backoff(child)
                stopping.cancel()
                if devserver.running_pid(self.data_dir) is None:
                    gone_since = gone_since or time.monotonic()
                    if time.monotonic() - gone_since > SERVER_GONE_S:
                        log("the embedded server is gone; stopping")
                        self.stop.set()
                else:
                    gone_since = None
        finally:
            for pending in self._pending:
                pending.cancel()
            children = [*self.active, *([self.standby] if self.standby else [])]
            await asyncio.gather(*(c.stop() for c in children))
            log("stopped")


def main() -> None:
    """Parse the arguments and supervise."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    log(f"started for {args.data_dir} with {args.workers} worker(s)")
    asyncio.run(Supervisor(args.data_dir, args.workers).run())


if __name__ == "__main__":
    main()
