"""Scheduled research on Temporal Schedules: add, list, pause, resume, trigger, delete.

A schedule's action starts an ordinary report (``GenerateReportWorkflow``, the same
:class:`ReportInput` a ``research start`` would send, with ``schedule_id`` set) under
the id ``scheduled-<schedule id>``, to which the server appends each run's time
(``scheduled-weekly-2026-12-07T07:00:00Z``): runs show in ``research list`` and are found
by the schedule's id. Overlapping runs are skipped; a run missed while the server was
down is caught up within ``CATCHUP_WINDOW``. No printing here.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.service import RPCError, RPCStatusCode

from durable_research.client.every import Every
from durable_research.client.reports import (
    MEMO_QUESTION,
    REPORT_WORKFLOW,
    check_workflow_id,
    report_memo,
)
from durable_research.config import Settings
from durable_research.contract.report import SCHEDULED_RUN_PREFIX, ReportInput, schedule_action_id
from durable_research.errors import UserError

SCHEDULE_ID_PREFIX = "sched-"
# A run missed while the server was down starts when it is back within this long; older
# ones are dropped (a weekly digest a day late is news, a pile of them is not).
CATCHUP_WINDOW = timedelta(hours=6)
# What `schedule list` shows, recorded in the schedule's memo (encrypted like the
# input): the --every text as the user's grammar, not Temporal's spec.
MEMO_EVERY = "every"
MEMO_TZ = "tz"
MEMO_DEPTH = "depth"
SCHEDULE_NOTE = "research schedule"
RPC_TIMEOUT = timedelta(seconds=10)
# How long `trigger` waits to name the run it started.
TRIGGER_WAIT = timedelta(seconds=10)


class ScheduleAction(StrEnum):
    """What a front end may do to a schedule besides adding it."""

    PAUSE = "pause"
    RESUME = "resume"
    TRIGGER = "trigger"
    DELETE = "delete"


def new_schedule_id() -> str:
    """A fresh, readable schedule id."""
    return f"{SCHEDULE_ID_PREFIX}{uuid.uuid4().hex[:8]}"


def check_schedule_id(schedule_id: str) -> str:
    """A schedule id as given with ``--id``: the rules of a report's id.

    Raises:
        UserError: Empty, too long, or with characters other than letters, digits, ``._-``.
    """
    shown = f"Invalid schedule id {schedule_id[:80]!r}"
    try:
        return check_workflow_id(schedule_id)
    except UserError as exc:
        if schedule_id.startswith(SCHEDULED_RUN_PREFIX):  # the one refusal a hint can't say
            shown += (f": ids starting with {SCHEDULED_RUN_PREFIX!r} are reserved for "
                      "scheduled reports")
        raise UserError(shown, exc.hint) from None


def schedule_spec(every: Every, tz: str) -> ScheduleSpec:
    """Temporal's spec for ``every`` in time zone ``tz``."""
    if every.interval is not None:
        return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every.interval)])
    calendar = ScheduleCalendarSpec(
        second=[ScheduleRange(0)],
        minute=[ScheduleRange(every.minute)],
        hour=[ScheduleRange(every.hour)] if every.hour is not None
        else [ScheduleRange(0, 23)],
        day_of_week=[ScheduleRange(int(d)) for d in every.days] if every.days
        else [ScheduleRange(0, 6)],
        comment=every.text)
    return ScheduleSpec(calendars=[calendar], time_zone_name=tz)


@dataclass
class ScheduleSummary:
    """One schedule as ``research schedule list`` and the web page show it."""

    schedule_id: str
    every: str = ""
    tz: str = ""
    question: str = ""
    depth: str = ""
    paused: bool = False
    next_run: datetime | None = None
    # The newest run the schedule started (a report's workflow id) and when.
    last_run: str = ""
    last_run_at: datetime | None = None
    running: list[str] = field(default_factory=list)


def _not_found(exc: RPCError, schedule_id: str) -> Exception:
    if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
        return UserError(f"No schedule with id {schedule_id[:80]!r}",
                         "`research schedule list` shows them")
    return UserError(f"The Temporal server refused: {exc.message}")


async def add_schedule(client: Client, settings: Settings, params: ReportInput, every: Every,
                       tz: str, schedule_id: str | None = None) -> ScheduleSummary:
    """Create a schedule that starts ``params`` as a report at the times of ``every``.

    ``params`` is the validated input of an ordinary report (``client.prepare_report``):
    it is stored in the schedule, encrypted like every payload, and holds no secret.

    Raises:
        UserError: A bad or taken id, or the server refused.
    """
    schedule_id = check_schedule_id(schedule_id) if schedule_id else new_schedule_id()
    action = ScheduleActionStartWorkflow(
        REPORT_WORKFLOW, replace(params, schedule_id=schedule_id),
        id=schedule_action_id(schedule_id), task_queue=settings.task_queue,
        memo=report_memo(params))
    schedule = Schedule(
        action=action, spec=schedule_spec(every, tz),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP,
                              catchup_window=CATCHUP_WINDOW),
        state=ScheduleState(note=SCHEDULE_NOTE))
    memo = {**report_memo(params), MEMO_EVERY: every.text,
            MEMO_TZ: tz if every.uses_clock else "", MEMO_DEPTH: params.depth}
    try:
        handle = await client.create_schedule(schedule_id, schedule, memo=memo,
                                              rpc_timeout=RPC_TIMEOUT)
    except ScheduleAlreadyRunningError:
        raise UserError(f"A schedule with id {schedule_id!r} already exists",
                        "choose another --id, or `research schedule delete` it first") from None
    except RPCError as exc:
        raise UserError(f"Could not create the schedule: {exc.message}") from None
    return await _summary(await handle.describe(rpc_timeout=RPC_TIMEOUT))


async def _summary(desc: ScheduleDescription) -> ScheduleSummary:
    try:
        memo = await desc.memo()
    except Exception:  # noqa: BLE001 - not readable with this key: the rest still shows
        memo = {}
    info = desc.info
    last = info.recent_actions[-1] if info.recent_actions else None
    last_run = getattr(last.action, "workflow_id", "") if last else ""
    return ScheduleSummary(
        schedule_id=desc.id, every=str(memo.get(MEMO_EVERY, "")), tz=str(memo.get(MEMO_TZ, "")),
        question=str(memo.get(MEMO_QUESTION, "")), depth=str(memo.get(MEMO_DEPTH, "")),
        paused=desc.schedule.state.paused,
        next_run=info.next_action_times[0] if info.next_action_times else None,
        last_run=last_run, last_run_at=last.started_at if last else None,
        running=[a.workflow_id for a in info.running_actions if hasattr(a, "workflow_id")])


def _handle(client: Client, schedule_id: str) -> ScheduleHandle:
    return client.get_schedule_handle(check_schedule_id(schedule_id))


async def describe_schedule(client: Client, schedule_id: str) -> ScheduleSummary:
    """One schedule, as the server has it now.

    Raises:
        UserError: No such schedule.
    """
    try:
        return await _summary(await _handle(client, schedule_id).describe(
            rpc_timeout=RPC_TIMEOUT))
    except RPCError as exc:
        raise _not_found(exc, schedule_id) from None


async def list_schedules(client: Client) -> list[ScheduleSummary]:
    """Every schedule of the namespace, by id (each described: the list itself may lag
    a moment behind a change, a description does not)."""
    ids = [s.id async for s in await client.list_schedules(rpc_timeout=RPC_TIMEOUT)
           # Reports' schedules only: a namespace may hold other applications' too.
           if s.schedule is not None
           and getattr(s.schedule.action, "workflow", "") == REPORT_WORKFLOW]

    async def one(schedule_id: str) -> ScheduleSummary | None:
        try:
            return await _summary(await client.get_schedule_handle(schedule_id).describe(
                rpc_timeout=RPC_TIMEOUT))
        except RPCError:  # deleted since it was listed
            return None

    found = await asyncio.gather(*(one(i) for i in sorted(ids)))
    return [s for s in found if s is not None]


async def pause_schedule(client: Client, schedule_id: str) -> None:
    """Stop starting runs until resumed (a running report goes on)."""
    try:
        await _handle(client, schedule_id).pause(note=SCHEDULE_NOTE, rpc_timeout=RPC_TIMEOUT)
    except RPCError as exc:
        raise _not_found(exc, schedule_id) from None


async def resume_schedule(client: Client, schedule_id: str) -> None:
    """Start runs again at the schedule's times."""
    try:
        await _handle(client, schedule_id).unpause(note=SCHEDULE_NOTE,
                                                   rpc_timeout=RPC_TIMEOUT)
    except RPCError as exc:
        raise _not_found(exc, schedule_id) from None


async def trigger_schedule(client: Client, schedule_id: str) -> str:
    """Start a run now, unless one is still going; return its workflow id
    ("" when the server has not shown it within ``TRIGGER_WAIT``).

    Raises:
        UserError: No such schedule, or a run of it is still going (runs never overlap).
    """
    before = await describe_schedule(client, schedule_id)
    if before.running:
        raise UserError(f"Schedule {schedule_id} has a run going: {before.running[0]}",
                        f"runs never overlap: trigger it when that one ends "
                        f"(`research result {before.running[0]}`)")
    try:
        await _handle(client, schedule_id).trigger(rpc_timeout=RPC_TIMEOUT)
    except RPCError as exc:
        raise _not_found(exc, schedule_id) from None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TRIGGER_WAIT.total_seconds()
    while loop.time() < deadline:  # the schedule starts it within a fraction of a second
        now = await describe_schedule(client, schedule_id)
        if now.last_run and (now.last_run, now.last_run_at) != (before.last_run,
                                                                before.last_run_at):
            return now.last_run
        await asyncio.sleep(0.1)
    return ""


async def delete_schedule(client: Client, schedule_id: str) -> None:
    """Delete the schedule; its reports stay (``research list``)."""
    try:
        await _handle(client, schedule_id).delete(rpc_timeout=RPC_TIMEOUT)
    except RPCError as exc:
        raise _not_found(exc, schedule_id) from None


async def act_on_schedule(client: Client, schedule_id: str, action: ScheduleAction) -> str:
    """Do ``action``; for a trigger, return the run's workflow id (else "").

    Raises:
        UserError: No such schedule, or a trigger while a run is going.
    """
    if action is ScheduleAction.TRIGGER:
        return await trigger_schedule(client, schedule_id)
    act = {ScheduleAction.PAUSE: pause_schedule, ScheduleAction.RESUME: resume_schedule,
           ScheduleAction.DELETE: delete_schedule}[action]
    await act(client, schedule_id)
    return ""
