"""Markdown output: the report as one self-describing Markdown file."""

from __future__ import annotations

from durable_research.shared import ReportContent


def render_markdown(content: ReportContent) -> bytes:
    """Return the report as UTF-8 Markdown (title block, body, About section)."""
    cost = "unknown" if content.usage.cost_usd is None else f"${content.usage.cost_usd:.4f}"
    lines = [
        f"# {content.title}",
        "",
        f"**Question:** {content.question}",
        "",
        f"**Date:** {content.date}  ",
        f"**Model:** {content.model}",
        "",
        content.body_markdown.strip(),
        "",
        "## About this report",
        "",
        f"- Prompt tokens: {content.usage.prompt_tokens}",
        f"- Completion tokens: {content.usage.completion_tokens}",
        f"- Total tokens: {content.usage.total_tokens}",
        f"- Cost: {cost}",
        "",
    ]
    return "\n".join(lines).encode("utf-8")
