"""PDF output (simple first version)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from durable_research.shared import ReportContent


def render_pdf(content: ReportContent) -> bytes:
    """Return the report as PDF bytes."""
    buf = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=content.title)
    story = [Paragraph(escape(content.title), styles["Title"])]
    for para in content.body_markdown.split("\n\n"):
        story.append(Paragraph(escape(para), styles["Normal"]))
    doc.build(story)
    return buf.getvalue()
