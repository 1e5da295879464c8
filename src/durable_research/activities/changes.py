"""The ``report_changes`` activity: put "What changed since the last run" in front of a
scheduled report.

Each scheduled run stores a snapshot of what its report rests on (cited sources, cited
claims: research/changes.py) under its own run's folder, and compares it with the snapshot
of the schedule's previous completed run. Runs are found through the Temporal server: the
search attribute it sets on every workflow a schedule starts (``SCHEDULED_BY_ATTRIBUTE``).
That same attribute on this run is checked first: the schedule id in the input is only
trusted when the server says this run was started by that schedule, so no input can read
another schedule's snapshots (the store's per-run rule, contract/keys.py, widened only to
runs of the same schedule).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from durable_research.activities.storage import WithStore
from durable_research.contract.keys import changes_body_name, changes_snapshot_name, run_key
from durable_research.contract.report import (
    ID_PATTERN,
    SCHEDULED_BY_ATTRIBUTE,
    ChangesInput,
    ChangesOutput,
)
from durable_research.errors import FOREIGN_RUN, FailureType
from durable_research.research.changes import Snapshot, changes_section, diff, snapshot_of
from durable_research.store import get_if_any

# Earlier completed runs looked at (newest first) for one with a snapshot.
RUNS_LOOKED_AT = 20
RPC_TIMEOUT = timedelta(seconds=10)
# Schedule ids as the client accepts them: nothing a visibility query could misread.
_SCHEDULE_ID = re.compile(ID_PATTERN)


def _unavailable(exc: RPCError) -> ApplicationError:
    return ApplicationError(f"Cannot ask the Temporal server about the schedule's runs: "
                            f"{exc.message}", type=FailureType.TEMPORAL_UNAVAILABLE)


class ChangesActivities(WithStore):
    """Compares a scheduled run with the schedule's previous one."""

    @activity.defn(name="report_changes")
    async def report_changes(self, params: ChangesInput) -> ChangesOutput:
        """Store this run's snapshot; return the body with the changes section first."""
        info = activity.info()
        client = activity.client()
        started = await self._check_scheduled(client, params.schedule_id)
        body = (await self.read_text(params.body_key) if params.body_key
                else params.body_markdown)
        current = snapshot_of(body, params.references)
        await self.save_json(self.my_key(changes_snapshot_name()), current.to_json())
        previous_id, previous = await self._previous(client, params.schedule_id,
                                                     info.workflow_id or "", started)
        changes = diff(previous, current) if previous is not None else None
        key = self.my_key(changes_body_name())
        section = changes_section(changes, previous_id,
                                  cites_nothing=current.empty() and bool(previous
                                                                          and previous.empty()))
        await self.write_text(key, section + "\n" + body)
        return ChangesOutput(body_key=key, previous_id=previous_id,
                             summary=changes.summary() if changes else "first run")

    async def _check_scheduled(self, client: Client, schedule_id: str) -> datetime:
        """This run's start time, once the server confirms ``schedule_id`` started it."""
        info = activity.info()
        handle = client.get_workflow_handle(info.workflow_id or "",
                                            run_id=info.workflow_run_id)
        try:
            desc = await handle.describe(rpc_timeout=RPC_TIMEOUT)
        except RPCError as exc:
            raise _unavailable(exc) from None
        by = desc.search_attributes.get(SCHEDULED_BY_ATTRIBUTE) or []
        if not _SCHEDULE_ID.fullmatch(schedule_id) or list(by) != [schedule_id]:
            raise ApplicationError(
                f"Refused to compare: this run was not started by schedule "
                f"{schedule_id[:80]!r}", type=FOREIGN_RUN, non_retryable=True)
        return desc.start_time

    async def _previous(self, client: Client, schedule_id: str, own_id: str,
                        started: datetime) -> tuple[str, Snapshot | None]:
        """The newest earlier completed run of the schedule that left a snapshot."""
        query = (f"{SCHEDULED_BY_ATTRIBUTE} = '{schedule_id}' AND ExecutionStatus = "
                 f"'{WorkflowExecutionStatus.COMPLETED.name.title()}'")
        runs: list[tuple[datetime, str]] = []
        try:
            async for wf in client.list_workflows(query, limit=RUNS_LOOKED_AT,
                                                  rpc_timeout=RPC_TIMEOUT):
                if wf.id != own_id and wf.start_time < started:
                    runs.append((wf.start_time, wf.id))
        except RPCError as exc:
            raise _unavailable(exc) from None
        for _start, workflow_id in sorted(runs, reverse=True):
            key = run_key(workflow_id, changes_snapshot_name())
            data = await self.in_store(get_if_any, self.store, key)
            if data is not None:
                return workflow_id, Snapshot.from_json(json.loads(data))
        return "", None
