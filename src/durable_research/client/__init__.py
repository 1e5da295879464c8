"""The client layer: every action on reports, as plain functions (no printing, no UI).

The CLI (``durable_research.cli``) and the web page (``durable_research.web``) are thin
printers over these.
"""

from __future__ import annotations

from durable_research.client.connection import Connection, _tls, connect, ui_link
from durable_research.client.prepare import (
    PreparedReport,
    ReportRequest,
    prepare_report,
)
from durable_research.client.reports import (
    LAST_FAILURE,
    MAX_LIST,
    RUNNING,
    ReportState,
    ReportSummary,
    cancel_report,
    check_report_id,
    check_workflow_id,
    describe_report,
    list_reports,
    new_workflow_id,
    report_location,
    report_result,
    start_report,
)
from durable_research.client.requests import (
    MAX_PROMPT_CHARS,
    build_input,
    copy_target,
    output_request,
    parse_formats,
    read_prompt,
)
from durable_research.client.review import review_input, reviewer_name, send_review
from durable_research.client.watch import watch
from durable_research.client.workers import RECENT_POLL_S, require_worker, workers_polling
from durable_research.errors import root_cause

__all__ = [
    "LAST_FAILURE", "MAX_LIST", "MAX_PROMPT_CHARS", "RECENT_POLL_S", "RUNNING", "Connection",
    "PreparedReport", "ReportRequest",
    "ReportState", "ReportSummary", "_tls", "prepare_report",
    "build_input", "cancel_report", "check_report_id", "check_workflow_id", "connect",
    "copy_target",
    "describe_report", "list_reports", "new_workflow_id", "output_request", "parse_formats",
    "read_prompt", "report_location", "report_result", "require_worker", "review_input",
    "reviewer_name",
    "root_cause", "send_review", "start_report", "ui_link", "watch", "workers_polling",
]
