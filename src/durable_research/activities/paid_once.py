"""One payment per LLM call in a worker process: overlapping attempts of a call share it.

``llm_call`` keeps each answer in the store (its memo) and a later attempt returns it, but
only once it is saved. Two attempts of one call can overlap on one worker: the server
times attempt 1 out (none of its heartbeats reached it during an outage) and hands
attempt 2 to the same worker while attempt 1 still waits for the provider, or holds the
answer while its save waits for the I/O pool behind a burst of store calls. Attempt 2
found no memo and paid again (bench/chaos.py --seed 23, issue 25).

So the payment (memo read, provider call, save) runs as a task of its own, one per memo
key: an attempt that finds one in flight waits for it instead of starting another. Once
the provider has answered, the task runs to its save even if every attempt waiting for it
is cancelled: an answer paid for is kept. Before that, the last attempt to stop waiting
stops the payment only if its ``stop`` says so (the report was cancelled). An attempt the
server timed out leaves it running: right after an outage the cancel of a heartbeat
timeout reached the worker while the provider's answer was on its way and dropped it
(seed 23 again: two answers paid twice 0.5 s after the first was sent); a request already
sent is billed anyway, so its answer is worth keeping for the next attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

T = TypeVar("T")

# ``work`` calls it once it holds something paid for (the provider answered).
Paid = Callable[[], None]


class _Flight:
    """One payment in flight and the attempts waiting for it."""

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None
        self.waiters = 0
        self.paid = False

    def mark_paid(self) -> None:
        self.paid = True


class InFlight:
    """The payments in flight in this worker process, by key."""

    def __init__(self) -> None:
        """No payment in flight yet."""
        self._flights: dict[str, _Flight] = {}

    def __len__(self) -> int:
        """How many payments are in flight."""
        return len(self._flights)

    async def once(self, key: str, work: Callable[[Paid], Coroutine[Any, Any, T]],
                   stop: Callable[[], bool]) -> T:
        """``work``'s result, from the run in flight under ``key`` or a new one.

        ``work`` gets a callback to call once it holds a paid answer: from then on it is
        not cancelled, whoever stops waiting. Before that, ``stop`` (called in the context
        of the last waiter to leave, cancelled) says whether to cancel it. The task copies
        the caller's context, so ``activity.info()`` in ``work`` is the attempt that
        started it.
        """
        flight = self._flights.get(key)
        if flight is None:
            flight = _Flight()
            flight.task = asyncio.create_task(work(flight.mark_paid))
            self._flights[key] = flight
            flight.task.add_done_callback(lambda task: self._landed(key, flight, task))
        task = flight.task
        assert task is not None  # set before the flight is visible
        flight.waiters += 1
        try:
            return cast(T, await asyncio.shield(task))
        finally:
            flight.waiters -= 1
            if not flight.waiters and not flight.paid and not task.done() and stop():
                task.cancel()

    def _landed(self, key: str, flight: _Flight, task: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        # A failure nobody waited for any more (a save refused after every attempt was
        # cancelled) is retrieved here, not logged as "never retrieved": the next attempt
        # meets it again or pays.
        if not task.cancelled():
            task.exception()
