"""PDF output: page template, outline (bookmarks) and the render entry point."""

from __future__ import annotations

import io
import logging
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, SimpleDocTemplate
from reportlab.platypus.doctemplate import LayoutError

from durable_research.contract.report import ReportContent
from durable_research.document.render import Document, build_document
from durable_research.layout.flowables import NumberedCanvas
from durable_research.layout.story import build_story, plain_story

MARGIN = 2.0 * cm
log = logging.getLogger(__name__)


class ReportDocTemplate(SimpleDocTemplate):  # type: ignore[misc]  # reportlab is untyped (Any); subclassing is its API
    """Adds a PDF outline entry (bookmark) for every heading as it is placed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outline_level = -1
        self._outline_count = 0

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab API
        entry = getattr(flowable, "_dr_outline", None)
        if entry is None:
            return
        text, level = entry
        # PDF outlines may only go one level deeper at a time; "# A" then "#### B" is legal
        # Markdown, so clamp instead of letting reportlab raise.
        level = max(0, min(level - 1 if level > 0 else 0, self._outline_level + 1))
        self._outline_level = level
        self._outline_count += 1
        key = f"outline:{self._outline_count}"  # ":" never occurs in heading slugs
        self.canv.bookmarkPage(key)
        title = " ".join(text.split()) or "(untitled)"
        self.canv.addOutlineEntry(title[:200], key, level=level, closed=False)


def _build(doc_model: Document, story: list[Flowable], title: str) -> bytes:
    buf = io.BytesIO()
    doc = ReportDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="durable-research",
        subject=doc_model.title.question[:500],
        creator="durable-research",
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


def render_document_pdf(doc_model: Document) -> bytes:
    """Lay out a document model as PDF bytes.

    Falls back to a simplified paragraphs-only layout if the rich layout cannot be
    placed (e.g. a table cell taller than a page), so a report is always produced.
    """
    title = " ".join(doc_model.title.title.split())
    try:
        return _build(doc_model, build_story(doc_model), title)
    except (LayoutError, ValueError) as exc:
        # reportlab reports unplaceable content as either. Wide tables and deep nesting
        # are handled in the story; this is the last resort, so say that it happened.
        log.warning("PDF layout failed (%s): using the simplified layout", exc)
        return _build(doc_model, plain_story(doc_model), title)


def render_pdf(content: ReportContent) -> bytes:
    """Render a report as PDF bytes (title block, body, About section).

    Args:
        content: The report data.

    Returns:
        The PDF file content.
    """
    return render_document_pdf(build_document(content))
