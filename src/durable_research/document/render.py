"""Markdown -> small typed document model, and the full report document.

Pure functions only (no I/O): the layout back-ends in :mod:`durable_research.layout`
turn the model into PDF, HTML or Markdown.
"""

from __future__ import annotations

from dataclasses import replace

from durable_research.contract.report import ReportContent
from durable_research.document.anchors import link_anchors
from durable_research.document.cost import format_cost

# The model lives in docmodel; re-exported so layouts import one module.
from durable_research.document.docmodel import (
    DISPUTED_LABEL,
    UNVERIFIED_LABEL,
    Align,
    Block,
    BlockQuote,
    CheckMark,
    Citation,
    Code,
    CodeBlock,
    Document,
    Emphasis,
    Footnote,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    ReferenceEntry,
    ReferenceList,
    Rule,
    Strike,
    Strong,
    Table,
    Text,
    TitleBlock,
    footnote_anchor,
    footnote_ref_anchor,
    plain_text,
    ref_anchor,
)
from durable_research.document.mdparse import parse_markdown
from durable_research.document.render_research import (
    REFERENCES_HEADING,
    clean_text,
    research_about_blocks,
    research_body,
)

__all__ = [
    "ABOUT_HEADING",
    "REFERENCES_HEADING",
    "DISPUTED_LABEL",
    "UNVERIFIED_LABEL",
    "Align",
    "Block",
    "BlockQuote",
    "CheckMark",
    "Citation",
    "Code",
    "CodeBlock",
    "Document",
    "Emphasis",
    "Footnote",
    "FootnoteRef",
    "Footnotes",
    "Heading",
    "Inline",
    "LineBreak",
    "Link",
    "ListBlock",
    "Paragraph",
    "ReferenceEntry",
    "ReferenceList",
    "Rule",
    "Strike",
    "Strong",
    "Table",
    "Text",
    "TitleBlock",
    "about_blocks",
    "build_document",
    "clean_text",
    "footnote_anchor",
    "footnote_ref_anchor",
    "format_cost",
    "parse_markdown",
    "plain_text",
    "ref_anchor",
]


# ---- helpers used by all layouts ------------------------------------------------------------
ABOUT_HEADING = "About this report"


def about_blocks(content: ReportContent) -> tuple[Block, ...]:
    """Blocks of the final "About this report" section.

    Token counts and cost always; for research reports also the citation check and
    the research notes.
    """
    u = content.usage

    def item(label: str, value: str) -> tuple[Block, ...]:
        return (Paragraph((Strong((Text(label + ":"),)), Text(" " + value))),)

    facts = ListBlock(
        ordered=False,
        start=1,
        items=(
            item("Model", content.model or "unknown"),
            item("Date", content.date or "unknown"),
            item("Prompt tokens", f"{u.prompt_tokens:,}"),
            item("Completion tokens", f"{u.completion_tokens:,}"),
            item("Total tokens", f"{u.total_tokens:,}"),
            item("Cost", format_cost(u.cost_usd, model=content.model)),
        ),
    )
    return (Rule(), Heading(2, (Text(ABOUT_HEADING),)), facts, *research_about_blocks(content))


def build_document(content: ReportContent) -> Document:
    """Build the full report document: title block, body, References, About section.

    Args:
        content: The report data produced by the workflow.

    Returns:
        A :class:`Document` ready for any layout back-end.
    """
    title = TitleBlock(
        title=clean_text(content.title).strip() or "Research Report",
        question=clean_text(content.question).strip(),
        date=clean_text(content.date).strip(),
        model=clean_text(content.model).strip(),
    )
    body = research_body(parse_markdown(clean_text(content.body_markdown)), content)
    about = about_blocks(replace(content, model=title.model, date=title.date))
    return Document(title=title, blocks=link_anchors(body + about))
