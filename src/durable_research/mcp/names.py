"""The names an MCP client sees: tools, resource URIs, limits of their arguments."""

from __future__ import annotations

from enum import StrEnum

from durable_research.contract.report import KNOWN_FORMATS


class Tool(StrEnum):
    """The server's tools, by the name an assistant calls them."""

    START_RESEARCH = "start_research"
    GET_STATUS = "get_status"
    ANSWER_QUESTIONS = "answer_questions"
    GET_PLAN = "get_plan"
    REVIEW_PLAN = "review_plan"
    REVIEW_DRAFT = "review_draft"
    RAISE_BUDGET = "raise_budget"
    GET_REPORT = "get_report"
    LIST_REPORTS = "list_reports"


SERVER_NAME = "durable-research"
# A finished report's file, by format: research://reports/<id>/report.<format>.
REPORT_URI = "research://reports/{report_id}/report.{fmt}"
# The longest a tool waits (``wait``) before it answers: within the tool-call timeouts
# of common clients (a report takes minutes: the assistant calls again).
MAX_WAIT_S = 60
# Formats a report is written in when the assistant does not say (Markdown: readable
# by get_report as text; PDF: for people).
DEFAULT_FORMATS = f"{KNOWN_FORMATS[0]},{KNOWN_FORMATS[1]}"
# Recorded in a report's history as who decided a review.
REVIEWER = "mcp"


def report_uri(report_id: str, fmt: str) -> str:
    """The resource URI of a report's file of format ``fmt``."""
    return REPORT_URI.format(report_id=report_id, fmt=fmt)
