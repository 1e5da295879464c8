"""The schedules page: the list of schedules, with pause, resume and run-now buttons.

Schedules are added with ``research schedule add`` (the page says so); every action goes
through ``client.schedules``, as the CLI's do.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from durable_research.client import schedules as cs
from durable_research.client.present import SCHEDULE_COLUMNS, schedule_rows
from durable_research.client.schedules import ScheduleAction
from durable_research.errors import UserError
from durable_research.web.common import temporal
from durable_research.web.templating import render

router = APIRouter()
# The page's buttons: no deleting from the page (the CLI's `schedule delete` does).
PAGE_ACTIONS = (ScheduleAction.PAUSE, ScheduleAction.RESUME, ScheduleAction.TRIGGER)
ACTION_LABELS: dict[str, str] = {ScheduleAction.PAUSE: "Pause",
                                 ScheduleAction.RESUME: "Resume",
                                 ScheduleAction.TRIGGER: "Run now"}
# What the page says after an action (``?done=pause``): fixed texts only.
NOTICES: dict[str, str] = {ScheduleAction.PAUSE: "Paused: no runs until resumed.",
                           ScheduleAction.RESUME: "Resumed: it runs at its times again.",
                           ScheduleAction.TRIGGER: "Started a run."}


@router.get("/schedules")
async def schedules_page(request: Request, done: str = "") -> Response:
    """Every schedule: when it runs, its state, its last run."""
    found = await cs.list_schedules(await temporal(request))
    return render(request, "schedules.html", columns=SCHEDULE_COLUMNS,
                  rows=list(zip(found, schedule_rows(found), strict=True)),
                  labels=ACTION_LABELS, ScheduleAction=ScheduleAction,
                  notice=NOTICES.get(done, ""))


@router.post("/schedules/{schedule_id}/{action}")
async def schedule_action(request: Request, schedule_id: str, action: str) -> Response:
    """Pause, resume or run a schedule now; a run's page follows a trigger."""
    if action not in PAGE_ACTIONS:
        raise UserError(f"Unknown schedule action {action[:40]!r}",
                        f"one of {', '.join(PAGE_ACTIONS)}")
    run = await cs.act_on_schedule(await temporal(request), schedule_id,
                                   ScheduleAction(action))
    # Post/redirect/get: a reload does not act twice.
    target = f"/reports/{run}" if run else f"/schedules?done={action}"
    return RedirectResponse(target, status_code=303)
