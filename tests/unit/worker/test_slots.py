"""The activity slot supplier's bookkeeping (worker/slots.py), with fake SDK contexts.

The resource-based supplier it replaces held a burst's LLM calls to ~20 slots while the
CPU was busy (they waited on the server, not on the model); a fixed 200 let renders be
accepted only to wait seconds behind other renders (they missed their heartbeat and ran
twice). These check both sides: waiting steps take slots up to the worker's maximum,
CPU-bound ones (and reservations not yet known) never more than their bound.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest
from temporalio.worker import SlotPermit, SlotReleaseContext

from durable_research.config import Settings
from durable_research.worker.build import activity_slots
from durable_research.worker.slots import RESERVATIONS_AHEAD, StepSlots

LLM, PDF, MAIL = "llm_call", "create_pdf", "send_email"


@dataclass
class Reserve:
    """What the SDK tells about a reservation (SlotReserveContext)."""

    slot_type: str = "activity"
    task_queue: str = "q"
    worker_identity: str = "w"
    worker_build_id: str = "b"
    worker_deployment_version: None = None
    is_sticky: bool = False


@dataclass
class Task:
    """The task a slot is used for (ActivitySlotInfo)."""

    activity_type: str


@dataclass
class Used:
    """SlotMarkUsedContext."""

    slot_info: Task
    permit: SlotPermit


CTX = Reserve()


def supplier(max_slots: int = 10, cpu_bound: int = 2) -> StepSlots:
    return StepSlots(max_slots, {PDF}, cpu_bound)


def take(slots: StepSlots, step: str) -> SlotPermit:
    """Reserve a slot now and use it for ``step``."""
    permit = slots.try_reserve_slot(CTX)  # type: ignore[arg-type]
    assert permit is not None, f"no slot for {step}"
    slots.mark_slot_used(Used(Task(step), permit))  # type: ignore[arg-type]
    return permit


def release(slots: StepSlots, permit: SlotPermit) -> None:
    slots.release_slot(SlotReleaseContext(slot_info=None, permit=permit))


def test_waiting_steps_take_every_slot_beside_the_renders() -> None:
    slots = supplier(max_slots=10, cpu_bound=2)
    take(slots, PDF)
    for i in range(8):  # LLM calls and mails are not held back by the CPU bound
        take(slots, LLM if i % 2 else MAIL)
    take(slots, PDF)
    assert slots.try_reserve_slot(CTX) is None  # type: ignore[arg-type]
    assert (slots.cpu_held, slots.other_held, slots.unknown) == (2, 8, 0)


def test_no_reservation_while_the_renders_held_reach_their_bound() -> None:
    slots = supplier(max_slots=10, cpu_bound=2)
    first = take(slots, PDF)
    take(slots, PDF)
    # Any reservation could become a third render: none is made...
    assert slots.try_reserve_slot(CTX) is None  # type: ignore[arg-type]
    release(slots, first)
    # ... until a render is done.
    assert slots.try_reserve_slot(CTX) is not None  # type: ignore[arg-type]


def test_idle_polls_leave_room_for_the_renders() -> None:
    # The SDK's pollers each hold a reservation while they wait for a task: counted
    # against the CPU bound, five of them left no room for a render at all.
    slots = supplier(max_slots=20, cpu_bound=2)
    polls = [slots.try_reserve_slot(CTX) for _ in range(5)]  # type: ignore[arg-type]
    assert all(p is not None for p in polls)
    take(slots, PDF)
    take(slots, PDF)
    assert slots.try_reserve_slot(CTX) is None  # type: ignore[arg-type]
    assert (slots.unknown, slots.cpu_held) == (5, 2)


def test_reservations_ahead_of_their_task_are_bounded() -> None:
    # Any of them may be a render: the renders held stay under cpu_bound - 1 + ahead.
    slots = supplier(max_slots=50, cpu_bound=2)
    ahead = [slots.try_reserve_slot(CTX) for _ in range(RESERVATIONS_AHEAD)]  # type: ignore[arg-type]
    assert all(p is not None for p in ahead)
    assert slots.try_reserve_slot(CTX) is None  # type: ignore[arg-type]
    first = ahead[0]
    assert first is not None
    # It was an LLM call: one more may be reserved.
    slots.mark_slot_used(Used(Task(LLM), first))  # type: ignore[arg-type]
    assert slots.try_reserve_slot(CTX) is not None  # type: ignore[arg-type]


def test_an_unused_reservation_given_back_frees_its_slot() -> None:
    slots = supplier(max_slots=1, cpu_bound=1)
    pending = slots.try_reserve_slot(CTX)  # type: ignore[arg-type]
    assert pending is not None and slots.try_reserve_slot(CTX) is None  # type: ignore[arg-type]
    release(slots, pending)
    assert (slots.unknown, slots.cpu_held, slots.other_held) == (0, 0, 0)
    assert slots.try_reserve_slot(CTX) is not None  # type: ignore[arg-type]


def test_a_second_release_or_use_of_a_permit_changes_nothing() -> None:
    slots = supplier()
    permit = take(slots, LLM)
    slots.mark_slot_used(Used(Task(PDF), permit))  # type: ignore[arg-type]
    release(slots, permit)
    release(slots, permit)
    assert (slots.unknown, slots.cpu_held, slots.other_held) == (0, 0, 0)


async def test_a_waiting_reservation_is_granted_when_a_render_ends() -> None:
    slots = supplier(max_slots=10, cpu_bound=1)
    render = take(slots, PDF)
    waiting = asyncio.create_task(slots.reserve_slot(CTX))  # type: ignore[arg-type]
    await asyncio.sleep(0)  # let it register as a waiter
    assert not waiting.done()
    release(slots, render)
    permit = await asyncio.wait_for(waiting, timeout=10)
    assert slots.unknown == 1 and permit is not render


async def test_a_release_from_another_thread_wakes_the_waiting_reservation() -> None:
    # The SDK calls release_slot from its own threads, not the event loop's.
    slots = supplier(max_slots=1, cpu_bound=1)
    held = take(slots, MAIL)
    waiting = asyncio.create_task(slots.reserve_slot(CTX))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert not waiting.done()
    other = threading.Thread(target=release, args=(slots, held))
    other.start()
    await asyncio.wait_for(waiting, timeout=10)
    other.join()
    assert (slots.unknown, slots.other_held) == (1, 0)


async def test_a_cancelled_reservation_takes_no_slot() -> None:
    slots = supplier(max_slots=1, cpu_bound=1)
    held = take(slots, LLM)
    waiting = asyncio.create_task(slots.reserve_slot(CTX))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release(slots, held)
    assert (slots.unknown, slots.cpu_held, slots.other_held) == (0, 0, 0)
    assert slots.try_reserve_slot(CTX) is not None  # type: ignore[arg-type]


def test_the_worker_bounds_renders_by_its_cpu_threads_and_not_llm_calls() -> None:
    slots = activity_slots(Settings(worker_io_concurrency=200, worker_cpu_threads=3))
    assert slots.max_slots == 200
    assert slots.cpu_bound == 12  # 4 per render thread
    assert {"create_pdf", "compare_notes", "prepare_check"} <= slots.cpu_steps
    assert not {"llm_call", "send_email", "search", "fetch_pages"} & slots.cpu_steps


def test_slot_limits_must_allow_an_activity() -> None:
    with pytest.raises(ValueError, match="positive"):
        StepSlots(0, {PDF}, 1)
