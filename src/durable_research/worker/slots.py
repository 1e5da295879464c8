"""Activity slots: many for steps that wait on the network, few for CPU-bound ones.

A worker takes an activity task only after it reserved a slot, and it reserves before it
polls, so it cannot know which step the task will be. The SDK tells the supplier once
the task is there (``mark_slot_used``). :class:`StepSlots` counts the CPU-bound steps it
holds and, while they reach their bound, reserves nothing more: a render is never
accepted only to wait seconds behind other renders (accepted attempts that waited
missed their heartbeat and ran twice, issue 14). Every other step (an LLM call, a mail,
a search) waits on the network and takes a slot whenever one of the worker's
``WORKER_IO_CONCURRENCY`` is free, whatever the machine's CPU use: the resource-based
supplier this replaces held a burst's LLM calls to ~20 slots while the CPU was busy,
and they waited on the server, not on the model (``bench/throughput.py --slots``).

Reservations not yet used may each turn out to be a render; they are bounded on their
own (:data:`RESERVATIONS_AHEAD`: the SDK's pollers hold one each while they wait, an eager
task one for a moment), not by the CPU bound: counted against it, the five idle polls
left room for three renders, and with a few renders running the worker stopped
polling and taking eager tasks (a 1 s burst's LLM calls still waited on the server,
p90 5 s, with 18 of 200 slots held). A worker holds at most
``cpu_bound - 1 + RESERVATIONS_AHEAD`` CPU-bound steps: 15 with two render threads,
each render ~13 ms of CPU.

The SDK calls ``reserve_slot`` on the worker's event loop and the other methods from
its own threads, so the counts are under a lock and waiters are woken thread-safely.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from enum import Enum

from temporalio.worker import (
    CustomSlotSupplier,
    SlotMarkUsedContext,
    SlotPermit,
    SlotReleaseContext,
    SlotReserveContext,
)

# CPU-bound steps held at once per render thread (WORKER_CPU_THREADS): one running, a
# few queued for the pool, so a thread never idles between two steps while the queue
# stays short (a render is ~13 ms of CPU: a queue of 3 is tens of ms, not seconds).
CPU_STEPS_PER_THREAD = 4
# Reservations held before their task is known: the SDK's activity pollers (5 by
# default) and eager tasks, which are marked used at once.
RESERVATIONS_AHEAD = 8


class Use(Enum):
    """What a permit is counted as."""

    RESERVED = "reserved"  # no task yet: may become any step
    CPU = "cpu"
    WAITING = "waiting"
    RELEASED = "released"


class StepPermit(SlotPermit):
    """A reserved slot; which kind of step uses it is known once it is used."""

    def __init__(self) -> None:
        """Reserved, not used yet."""
        self.use = Use.RESERVED


class StepSlots(CustomSlotSupplier):
    """Up to ``max_slots`` activities at once; none reserved while ``cpu_bound`` CPU-bound
    ones (``cpu_steps``) are held or :data:`RESERVATIONS_AHEAD` are not yet known."""

    def __init__(self, max_slots: int, cpu_steps: Iterable[str], cpu_bound: int) -> None:
        """The limits; both must allow at least one activity."""
        if max_slots < 1 or cpu_bound < 1:
            raise ValueError(f"slot limits must be positive: {max_slots}, {cpu_bound}")
        self.max_slots, self.cpu_bound = max_slots, cpu_bound
        self.cpu_steps = frozenset(cpu_steps)
        self._lock = threading.Lock()
        self.unknown = self.cpu_held = self.other_held = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def _free(self) -> bool:
        # Under the lock.
        total = self.unknown + self.cpu_held + self.other_held
        return (total < self.max_slots and self.cpu_held < self.cpu_bound
                and self.unknown < RESERVATIONS_AHEAD)

    def _take(self) -> StepPermit | None:
        # Under the lock.
        if not self._free():
            return None
        self.unknown += 1
        return StepPermit()

    async def reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit:
        """Wait until a slot is free under both bounds, then take it."""
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                permit = self._take()
                if permit is not None:
                    return permit
                waiter = (loop, asyncio.Event())
                self._waiters.append(waiter)
            try:
                await waiter[1].wait()
            finally:
                with self._lock:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)

    def try_reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit | None:
        """A slot for an eager task if one is free now."""
        with self._lock:
            return self._take()

    def mark_slot_used(self, ctx: SlotMarkUsedContext) -> None:
        """The reserved slot's task is known: count it as CPU-bound or waiting."""
        permit = ctx.permit
        cpu = getattr(ctx.slot_info, "activity_type", None) in self.cpu_steps
        with self._lock:
            if not isinstance(permit, StepPermit) or permit.use is not Use.RESERVED:
                return
            self.unknown -= 1
            if cpu:
                permit.use = Use.CPU
                self.cpu_held += 1
            else:
                permit.use = Use.WAITING
                self.other_held += 1
            self._wake()  # one fewer reservation ahead

    def release_slot(self, ctx: SlotReleaseContext) -> None:
        """The slot is free again (its task done, or the reservation not needed)."""
        permit = ctx.permit
        with self._lock:
            if not isinstance(permit, StepPermit) or permit.use is Use.RELEASED:
                return
            if permit.use is Use.RESERVED:
                self.unknown -= 1
            elif permit.use is Use.CPU:
                self.cpu_held -= 1
            else:
                self.other_held -= 1
            permit.use = Use.RELEASED
            self._wake()

    def _wake(self) -> None:
        # Under the lock. Every waiter checks again (at most the worker's pollers wait).
        for loop, event in self._waiters:
            if not loop.is_closed():  # a worker stopping while a poll waited
                loop.call_soon_threadsafe(event.set)
