"""HTML output (placeholder until the document-model renderer lands)."""

from __future__ import annotations

import html

from durable_research.shared import ReportContent


def render_html(content: ReportContent) -> bytes:
    """Return a self-contained, escaped UTF-8 HTML page for the report."""
    body = html.escape(content.body_markdown)
    page = (
        '<!DOCTYPE html>\n<html dir="auto"><head><meta charset="utf-8">'
        f"<title>{html.escape(content.title)}</title></head><body>"
        f"<h1>{html.escape(content.title)}</h1><pre>{body}</pre></body></html>\n"
    )
    return page.encode("utf-8")
