"""Markdown -> small typed document model, and the full report document.

Pure functions only (no I/O): the layout back-ends in :mod:`durable_research.layout`
turn the model into PDF, HTML or Markdown.
"""

from __future__ import annotations

from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

# The model lives in docmodel; re-exported so layouts import one module.
from durable_research.docmodel import (
    UNVERIFIED_LABEL,
    Align,
    Block,
    BlockQuote,
    Citation,
    Code,
    CodeBlock,
    Document,
    Emphasis,
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
    Unverified,
    ref_anchor,
)
from durable_research.render_research import (
    REFERENCES_HEADING,
    clean_text,
    research_about_blocks,
    research_body,
)
from durable_research.shared import ReportContent

__all__ = [
    "ABOUT_HEADING",
    "REFERENCES_HEADING",
    "UNVERIFIED_LABEL",
    "Align",
    "Block",
    "BlockQuote",
    "Citation",
    "Code",
    "CodeBlock",
    "Document",
    "Emphasis",
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
    "Unverified",
    "about_blocks",
    "build_document",
    "clean_text",
    "format_cost",
    "parse_markdown",
    "plain_text",
    "ref_anchor",
]


# ---- parsing --------------------------------------------------------------------------------
def _parser() -> MarkdownIt:
    # html=False: raw HTML in LLM output is shown as text, never interpreted.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _inlines(node: SyntaxTreeNode | None) -> tuple[Inline, ...]:
    if node is None:
        return ()
    out: list[Inline] = []
    for child in node.children:
        t = child.type
        if t == "text":
            out.append(Text(child.content))
        elif t == "softbreak":
            out.append(Text(" "))
        elif t == "hardbreak":
            out.append(LineBreak())
        elif t == "code_inline":
            out.append(Code(child.content))
        elif t == "strong":
            out.append(Strong(_inlines(child)))
        elif t == "em":
            out.append(Emphasis(_inlines(child)))
        elif t == "s":
            out.append(Strike(_inlines(child)))
        elif t == "link":
            out.append(Link(str(child.attrs.get("href", "")), _inlines(child)))
        elif t == "image":
            # Images are not fetched (no network, no I/O): keep alt text as a link.
            alt = _inlines(child) or (Text(str(child.attrs.get("src", ""))),)
            out.append(Link(str(child.attrs.get("src", "")), alt))
        else:  # html_inline etc. cannot occur with html=False; keep any text anyway
            out.append(Text(child.content))
    return _merge_text(out)


def _merge_text(items: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for it in items:
        if isinstance(it, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + it.text)
        elif not (isinstance(it, Text) and not it.text):
            merged.append(it)
    return tuple(merged)


def _inline_child(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    return node.children[0] if node.children else None


def _align(node: SyntaxTreeNode) -> Align:
    style = str(node.attrs.get("style", ""))
    if "center" in style:
        return "center"
    if "right" in style:
        return "right"
    return "left"


def _table(node: SyntaxTreeNode) -> Table:
    header: tuple[tuple[Inline, ...], ...] = ()
    aligns: tuple[Align, ...] = ()
    rows: list[tuple[tuple[Inline, ...], ...]] = []
    for section in node.children:
        for tr in section.children:
            cells = tuple(_inlines(_inline_child(c)) for c in tr.children)
            if section.type == "thead":
                header = cells
                aligns = tuple(_align(c) for c in tr.children)
            else:
                rows.append(cells)
    return Table(header=header, rows=tuple(rows), aligns=aligns)


def _blocks(node: SyntaxTreeNode) -> tuple[Block, ...]:
    out: list[Block] = []
    for child in node.children:
        t = child.type
        if t == "heading":
            out.append(Heading(int(child.tag[1:]), _inlines(_inline_child(child))))
        elif t == "paragraph":
            out.append(Paragraph(_inlines(_inline_child(child))))
        elif t in ("bullet_list", "ordered_list"):
            start = int(str(child.attrs.get("start", 1))) if t == "ordered_list" else 1
            items = tuple(_blocks(item) for item in child.children)
            out.append(ListBlock(ordered=t == "ordered_list", start=start, items=items))
        elif t == "blockquote":
            out.append(BlockQuote(_blocks(child)))
        elif t in ("fence", "code_block"):
            lang = child.info.strip().split(" ")[0] if child.info else ""
            out.append(CodeBlock(lang, child.content.removesuffix("\n")))
        elif t == "table":
            out.append(_table(child))
        elif t == "hr":
            out.append(Rule())
        elif t == "html_block":  # only with html=True; shown literally
            out.append(CodeBlock("", child.content.removesuffix("\n")))
    return tuple(out)


def parse_markdown(text: str) -> tuple[Block, ...]:
    """Parse CommonMark + GFM tables/strikethrough into document blocks.

    Args:
        text: Markdown source; raw HTML is kept as literal text.

    Returns:
        The top-level blocks in document order.
    """
    return _blocks(SyntaxTreeNode(_parser().parse(text)))


# ---- helpers used by all layouts ------------------------------------------------------------
def plain_text(inlines: tuple[Inline, ...]) -> str:
    """Concatenate the visible text of inline spans (used for outlines and titles)."""
    parts: list[str] = []
    for it in inlines:
        if isinstance(it, Text | Code):
            parts.append(it.text)
        elif isinstance(it, LineBreak):
            parts.append(" ")
        elif isinstance(it, Citation):
            parts.append(str(it.n))
        elif isinstance(it, Unverified):
            parts.append(UNVERIFIED_LABEL)
        else:
            parts.append(plain_text(it.children))
    return "".join(parts)


def format_cost(cost_usd: float | None) -> str:
    """Format a cost in US dollars, or "unknown" when litellm could not price the call."""
    if cost_usd is None:
        return "unknown"
    return f"${cost_usd:.4f}"


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
            item("Cost", format_cost(u.cost_usd)),
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
    return Document(title=title, blocks=body + about)
