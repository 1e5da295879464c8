"""A report's files: downloads from the artifact store, and HTML views for the iframes.

Only files the workflow reported are served, chosen by format name (never by a path).
HTML (the report, or a draft) comes from the project's escaping renderer and is served
with its own CSP: no script at all, sandboxed, framed only by this app.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from durable_research.client.files import (
    MEDIA_TYPES,
    StoredFile,
    read_report_file,
    report_file_keys,
)
from durable_research.contract.report import ReportContent
from durable_research.layout.html import render_html
from durable_research.web.common import context, load_report
from durable_research.web.security import REPORT_CSP
from durable_research.web.views import HTML_FORMAT, MD_FORMAT

router = APIRouter()
VIEW_HEADERS = {"content-security-policy": REPORT_CSP, "x-frame-options": "SAMEORIGIN"}


def _attachment(name: str) -> str:
    # RFC 6266: an ASCII fallback plus the UTF-8 name.
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@router.get("/reports/{report_id}/download/{fmt}")
async def download(request: Request, report_id: str, fmt: str) -> Response:
    """One of the report's files, as the workflow stored it."""
    state = await load_report(request, report_id)
    stored = await asyncio.to_thread(read_report_file, context(request).settings, report_id,
                                     state.result, fmt)
    return file_response(stored)


def file_response(stored: StoredFile) -> Response:
    """A report file as a download: its media type, its name, the report views' CSP."""
    return Response(stored.data, media_type=MEDIA_TYPES[stored.fmt],
                    headers={"content-disposition": _attachment(stored.name), **VIEW_HEADERS})


@router.get("/reports/{report_id}/view.html")
async def view_report(request: Request, report_id: str) -> Response:
    """The finished report as HTML: its stored HTML file, else its Markdown rendered."""
    state = await load_report(request, report_id)
    keys = report_file_keys(report_id, state.result) if state.result else {}
    settings = context(request).settings
    if state.result is not None and HTML_FORMAT in keys:
        stored = await asyncio.to_thread(read_report_file, settings, report_id, state.result,
                                         HTML_FORMAT)
        page = stored.data
    elif state.result is not None and MD_FORMAT in keys:
        stored = await asyncio.to_thread(read_report_file, settings, report_id, state.result,
                                         MD_FORMAT)
        content = ReportContent(title=state.question[:120] or "Research Report",
                                body_markdown=stored.data.decode("utf-8", errors="replace"))
        page = render_html(content)
    else:
        raise HTTPException(404, "This report has no HTML or Markdown file to show.")
    return Response(page, media_type=MEDIA_TYPES[HTML_FORMAT], headers=VIEW_HEADERS)


@router.get("/reports/{report_id}/draft.html")
async def view_draft(request: Request, report_id: str) -> Response:
    """The draft waiting for review, rendered like the report."""
    state = await load_report(request, report_id)
    q = state.query
    if q is None or not q.draft:
        # Shown inside the page's iframe (the report moved on, e.g. was cancelled, while the
        # frame loaded): an answer this app may frame, not the error page (framed by none).
        gone = ReportContent(title="No draft", body_markdown="There is no draft to show now.")
        return Response(render_html(gone), status_code=404,
                        media_type=MEDIA_TYPES[HTML_FORMAT], headers=VIEW_HEADERS)
    content = ReportContent(title=f"Draft version {q.versions}", question=state.question,
                            body_markdown=q.draft, model=q.model, usage=q.usage)
    return Response(render_html(content), media_type=MEDIA_TYPES[HTML_FORMAT],
                    headers=VIEW_HEADERS)
