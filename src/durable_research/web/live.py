"""Live progress: server-sent events carrying the report page's updated fragments.

The page connects with the key of the action panel it shows; the stream sends the
progress on every change and the action panel only when its key changes, then a
``done`` event (the page closes the stream) once the report has ended. Nothing is kept
here: a reload or a restarted web process reconnects and gets the current state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from temporalio.service import RPCError

from durable_research import client as rc
from durable_research.client.draft import draft_sections_async
from durable_research.errors import UserError
from durable_research.web.common import context, load_report, temporal
from durable_research.web.templating import render_text
from durable_research.web.views import report_view

router = APIRouter()
PROGRESS_EVENT = "progress"
ACTIONS_EVENT = "actions"
DONE_EVENT = "done"
POLL_S = 0.5
T = TypeVar("T")


@router.get("/reports/{report_id}/events")
async def events(request: Request, report_id: str, actions: str = "") -> EventSourceResponse:
    """The report's progress as a stream of HTML fragments (escaped like the page)."""
    await load_report(request, report_id, with_query=False)  # a 404 before streaming
    client = await temporal(request)
    stopping = context(request).stopping

    async def stream() -> AsyncIterator[ServerSentEvent]:
        shown = actions
        try:
            async for state in until_set(stopping, rc.watch(client, report_id, POLL_S)):
                view = report_view(state)
                research = state.query.research if state.query else None
                draft = await draft_sections_async(context(request).settings, report_id,
                                                   research)
                yield ServerSentEvent(render_text(request, "_progress.html", v=view,
                                                  draft=draft), event=PROGRESS_EVENT)
                if view.actions_key != shown:
                    shown = view.actions_key
                    yield ServerSentEvent(render_text(request, "_actions.html", v=view),
                                          event=ACTIONS_EVENT)
        except (RPCError, UserError):
            # Temporal went away after the stream began: end it; the browser reconnects
            # and then gets the page's answer (503 while it is down).
            return
        if not stopping.is_set():
            # An event without data is never dispatched by browsers: say something.
            yield ServerSentEvent("ended", event=DONE_EVENT)

    return EventSourceResponse(stream(), ping=15)


async def until_set(event: asyncio.Event, source: AsyncIterator[T]) -> AsyncIterator[T]:
    """The items of ``source`` until ``event`` is set, even while ``source`` waits.

    (A server shutting down must not wait for a report's next change.)
    """
    stop = asyncio.ensure_future(event.wait())
    item: asyncio.Future[T] | None = None
    try:
        while True:
            item = asyncio.ensure_future(anext(source))
            await asyncio.wait({item, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not item.done():
                return
            try:
                yield item.result()
            except StopAsyncIteration:
                return
    finally:
        # Also when the browser went away while we waited: nothing is left running.
        for future in (stop, item):
            if future is not None and not future.done():
                future.cancel()
