"""Markdown output: title block, the body as the model wrote it (made safe to open:
``mdsafe``), References, About."""

from __future__ import annotations

import re

from durable_research.contract.report import ReportContent
from durable_research.document.render import ABOUT_HEADING, format_cost
from durable_research.document.render_research import reference_blocks, research_about_blocks
from durable_research.layout.markdown_blocks import blocks_md
from durable_research.layout.mdsafe import sanitize_markdown

# Characters with a meaning in CommonMark inline syntax (generated values never start a
# line, so block markers like "1." or "-" need no escaping).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&])")


def md_escape(text: str) -> str:
    """Escape text so it shows literally in Markdown, on a single line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def markdown_text(content: ReportContent) -> str:
    """Return the report as a Markdown string (see :func:`render_markdown`)."""
    u = content.usage
    lines = [f"# {md_escape(content.title.strip() or 'Research Report')}", ""]
    if content.question.strip():
        lines += [f"**Question:** {md_escape(content.question)}", ""]
    lines += [
        f"**Date:** {md_escape(content.date or 'unknown')}  ",
        f"**Model:** {md_escape(content.model or 'unknown')}",
        "",
        "---",
        "",
        content.body_markdown.strip("\n"),
        "",
    ]
    # Citations in the verbatim body stay "[n]" text: the list below is an ordered list,
    # never "[n]: url" definitions, which would turn every "[n]" into a link.
    references = blocks_md(reference_blocks(content.references))
    if references:
        lines += [*references, ""]
    lines += [
        "---",
        "",
        f"## {ABOUT_HEADING}",
        "",
        f"- **Model:** {md_escape(content.model or 'unknown')}",
        f"- **Date:** {md_escape(content.date or 'unknown')}",
        f"- **Prompt tokens:** {u.prompt_tokens:,}",
        f"- **Completion tokens:** {u.completion_tokens:,}",
        f"- **Total tokens:** {u.total_tokens:,}",
        f"- **Cost:** {md_escape(format_cost(u.cost_usd, model=content.model))}",
        "",
    ]
    research = blocks_md(research_about_blocks(content))
    if research:
        lines += [*research, ""]
    return "\n".join(lines)


def render_markdown(content: ReportContent) -> bytes:
    """Return the report as UTF-8 Markdown.

    The body is kept as written (it already is Markdown); only the title block, the
    References and the About section are generated, with their text escaped. Control
    characters and unsafe link targets are removed from all of it (:mod:`mdsafe`).
    """
    return sanitize_markdown(markdown_text(content)).encode("utf-8", errors="replace")
