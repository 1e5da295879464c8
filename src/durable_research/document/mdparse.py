"""Markdown (CommonMark + GFM) -> document blocks, for any Markdown an LLM may write.

markdown-it's token stream is converted with explicit stacks instead of recursion, so
no nesting depth can raise RecursionError. Beyond fixed depth limits the structure is
flattened into plain text and logged; content is never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from durable_research.document.docmodel import (
    Align,
    Block,
    BlockQuote,
    Code,
    CodeBlock,
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
    Rule,
    Strike,
    Strong,
    Table,
    Text,
    merge_text,
)

log = logging.getLogger(__name__)

# markdown-it block levels: a list level counts 2 (list + item), a quote level 1. Deeper
# content becomes plain paragraphs; markdown-it itself would silently drop it at
# maxNesting, so that limit is set above ours.
BLOCK_DEPTH = 30
# Nested spans (emphasis, links...) kept as structure; deeper markup is ignored.
INLINE_DEPTH = 20
CHECKBOX = {False: "☐", True: "☑"}
# Table cells, and characters of cell source text, kept per table in every rendered
# output (HTML, PDF; the Markdown file keeps the body as written): rows beyond them are
# left out before their cells are parsed, with a note (a 1.96 MB table took 41 s and
# 509 MB to render, issue 25). The PDF caps tables further (layout/limits.py).
MAX_PARSED_TABLE_CELLS = 20_000
MAX_PARSED_TABLE_CHARS = 400_000


def _depth_guard(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Turn everything left in a container nested too deeply into plain paragraphs."""
    if silent or state.level < BLOCK_DEPTH:
        return False
    text = state.getLines(start, end, state.blkIndent, False)
    for group in text.split("\n\n"):
        lines = [ln.strip() for ln in group.split("\n") if ln.strip()]
        if not lines:
            continue
        state.push("paragraph_open", "p", 1).map = [start, end]
        inline = state.push("inline", "", 0)
        # Two trailing spaces make a hard break, so the source lines stay lines.
        inline.content = "  \n".join(lines)
        inline.map = [start, end]
        inline.children = []
        state.push("paragraph_close", "p", -1)
    state.env["dr_flattened"] = True
    state.line = end
    return True


def _cap_tables(state: StateCore) -> None:
    """Leave out table rows beyond the caps (``MAX_PARSED_TABLE_*``) before the inline parse.

    Parsing the cells' inline Markdown is most of a big table's cost, and everything
    after it (the document, the HTML) grows with the rows. The ``table_open`` token's
    ``meta["omitted"]`` counts the rows left out.
    """
    tokens = state.tokens
    kept: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        kept.append(t)
        i += 1
        if t.type != "table_open":
            continue
        cells = chars = omitted = 0
        in_body = False
        while i < len(tokens) and tokens[i].type != "table_close":
            if tokens[i].type == "tbody_open":
                in_body = True
            if not (in_body and tokens[i].type == "tr_open"):
                kept.append(tokens[i])
                i += 1
                continue
            end = i
            while end < len(tokens) and tokens[end].type != "tr_close":
                end += 1
            row = tokens[i:end + 1]
            cells += sum(1 for r in row if r.type == "td_open")
            chars += sum(len(r.content) for r in row if r.type == "inline")
            if omitted or cells > MAX_PARSED_TABLE_CELLS or chars > MAX_PARSED_TABLE_CHARS:
                omitted += 1
            else:
                kept.extend(row)
            i = end + 1
        if omitted:
            t.meta["omitted"] = omitted
    state.tokens = kept


@cache
def parser() -> MarkdownIt:
    """The shared parser (markdown-it keeps no per-document state in it)."""
    # html=False: raw HTML in LLM output is shown as text, never interpreted.
    md = MarkdownIt("commonmark", {
        "html": False,
        "maxNesting": BLOCK_DEPTH + 10,
        "tasklists": True,
        "strikethrough_single_tilde": True,
    }).enable(["table", "strikethrough"])
    # GFM autolinks (www., http(s)://, e-mail), not linkify's fuzzy matching, which
    # would turn file names like "main.py" into links to http://main.py.
    md.use(gfm_autolink_plugin)
    # Footnotes stay where defined; _Converter numbers them, keeping unreferenced ones.
    md.use(footnote_plugin, inline=False, move_to_end=False)
    md.block.ruler.before("table", "depth_guard", _depth_guard)
    md.core.ruler.before("inline", "cap_tables", _cap_tables)
    return md


@dataclass
class _Frame:
    token: Token | None
    blocks: list[Block] = field(default_factory=list)
    items: list[tuple[Block, ...]] = field(default_factory=list)


@dataclass
class _Converter:
    flattened: bool = False
    definitions: list[tuple[str, tuple[Block, ...]]] = field(default_factory=list)

    # ---- inline spans -------------------------------------------------------------
    def inlines(self, tokens: list[Token] | None, depth: int = 0) -> tuple[Inline, ...]:
        root: list[Inline] = []
        # (open token or None if flattened, the list its children go to)
        stack: list[tuple[Token | None, list[Inline]]] = [(None, root)]
        kept = 0
        for t in tokens or ():
            items = stack[-1][1]
            if t.nesting == 1:
                if kept + depth >= INLINE_DEPTH:
                    self.flattened = True
                    stack.append((None, items))  # children go to the parent
                else:
                    stack.append((t, []))
                    kept += 1
            elif t.nesting == -1 and len(stack) > 1:
                opener, children = stack.pop()
                if opener is not None:
                    kept -= 1
                    stack[-1][1].extend(_span(opener, merge_text(children)))
            else:
                items.extend(self._leaf(t, depth + kept))
        while len(stack) > 1:  # unbalanced (cannot happen with markdown-it): keep text
            _, children = stack.pop()
            if children is not stack[-1][1]:
                stack[-1][1].extend(children)
        return merge_text(root)

    def _leaf(self, t: Token, depth: int) -> list[Inline]:
        if t.type == "softbreak":
            return [Text(" ")]
        if t.type == "hardbreak":
            return [LineBreak()]
        if t.type == "code_inline":
            return [Code(t.content)]
        if t.type == "footnote_ref":
            return [FootnoteRef(int(t.meta["id"]) + 1, int(t.meta.get("subId", 0)))]
        if t.type == "image":
            # Images are not fetched (no network, no I/O): keep alt text as a link.
            src = str(t.attrs.get("src", ""))
            if depth >= INLINE_DEPTH:
                self.flattened = True
                alt: tuple[Inline, ...] = (Text(t.content),) if t.content else ()
            else:
                alt = self.inlines(t.children, depth + 1)
            return [Link(src, alt or (Text(src),))]
        # text, and anything else that carries text (html_inline cannot occur, html=False)
        return [Text(t.content)] if t.content else []

    # ---- blocks -------------------------------------------------------------------
    def blocks(self, tokens: list[Token]) -> tuple[Block, ...]:
        stack = [_Frame(None)]
        i = 0
        while i < len(tokens):
            t = tokens[i]
            top = stack[-1]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            has_inline = nxt is not None and nxt.type == "inline"
            inline = nxt.children if nxt is not None and has_inline else None
            if t.type == "table_open":
                end = next((j for j in range(i, len(tokens)) if tokens[j].type == "table_close"),
                           len(tokens))
                top.blocks.append(self._table(tokens[i:end]))
                i = end + 1
                continue
            if t.type in ("heading_open", "paragraph_open"):
                spans = self.inlines(inline)
                top.blocks.append(Heading(int(t.tag[1:]), spans) if t.type == "heading_open"
                                  else Paragraph(spans))
                i += 3 if has_inline else 2
                continue
            if t.nesting == 1:
                stack.append(_Frame(t))
            elif t.nesting == -1 and len(stack) > 1:
                self._close(stack.pop(), stack[-1])
            elif t.type in ("fence", "code_block", "html_block"):
                lang = t.info.strip().split(" ")[0] if t.info else ""
                top.blocks.append(CodeBlock(lang, t.content.removesuffix("\n")))
            elif t.type == "hr":
                top.blocks.append(Rule())
            elif t.type == "inline":
                top.blocks.append(Paragraph(self.inlines(t.children)))
            i += 1
        while len(stack) > 1:
            self._close(stack.pop(), stack[-1])
        return tuple(stack[0].blocks)

    def _close(self, frame: _Frame, parent: _Frame) -> None:
        t = frame.token
        kind = t.type if t is not None else ""
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            start = int(str(t.attrs.get("start", 1))) if t is not None and ordered else 1
            parent.blocks.append(ListBlock(ordered, start, tuple(frame.items)))
        elif kind == "list_item_open" and t is not None:
            blocks = frame.blocks
            checked = t.meta.get("checked")
            if isinstance(checked, bool):
                blocks = _with_checkbox(blocks, CHECKBOX[checked])
            parent.items.append(tuple(blocks))
        elif kind == "blockquote_open":
            parent.blocks.append(BlockQuote(tuple(frame.blocks)))
        elif kind == "footnote_reference_open" and t is not None:
            self.definitions.append((str(t.meta.get("label", "")), tuple(frame.blocks)))
        else:  # a container we do not model: keep its content
            parent.blocks.extend(frame.blocks)
            parent.items.extend(frame.items)

    def _table(self, tokens: list[Token]) -> Table:
        header: list[tuple[Inline, ...]] = []
        rows: list[list[tuple[Inline, ...]]] = []
        aligns: list[Align] = []
        in_head = False
        for i, t in enumerate(tokens):
            if t.type in ("thead_open", "thead_close"):
                in_head = t.type == "thead_open"
            elif t.type == "tr_open" and not in_head:
                rows.append([])
            elif t.type in ("th_open", "td_open"):
                nxt = tokens[i + 1] if i + 1 < len(tokens) else None
                cell = self.inlines(nxt.children) if nxt and nxt.type == "inline" else ()
                if in_head:
                    header.append(cell)
                    aligns.append(_align(str(t.attrs.get("style", ""))))
                elif rows:
                    rows[-1].append(cell)
        omitted = int(tokens[0].meta.get("omitted", 0)) if tokens else 0
        return Table(tuple(header), tuple(tuple(r) for r in rows), tuple(aligns), omitted)

    def footnotes(self, env: dict[str, object]) -> Footnotes | None:
        """Referenced footnotes in their numbering, then any nobody refers to."""
        data = env.get("footnotes")
        listed = data.get("list", {}) if isinstance(data, dict) else {}
        bodies: dict[str, tuple[Block, ...]] = {}
        spare: list[tuple[Block, ...]] = []
        for label, blocks in self.definitions:
            if label in bodies:
                spare.append(blocks)  # a repeated label: the first one is the footnote
            else:
                bodies[label] = blocks
        notes: list[Footnote] = []
        used: set[str] = set()
        for fid in sorted(listed):
            info = listed[fid]
            label = str(info.get("label", ""))
            used.add(label)
            notes.append(Footnote(fid + 1, bodies.get(label, ()), int(info.get("count", 1))))
        spare = [b for lb, b in bodies.items() if lb not in used] + spare
        for blocks in spare:
            notes.append(Footnote(len(notes) + 1, blocks, 0))
        return Footnotes(tuple(notes)) if notes else None


def _span(opener: Token, children: tuple[Inline, ...]) -> list[Inline]:
    if opener.type == "strong_open":
        return [Strong(children)]
    if opener.type == "em_open":
        return [Emphasis(children)]
    if opener.type == "s_open":
        return [Strike(children)]
    if opener.type == "link_open":
        return [Link(str(opener.attrs.get("href", "")), children)]
    return list(children)


def _with_checkbox(blocks: list[Block], box: str) -> list[Block]:
    if blocks and isinstance(blocks[0], Paragraph):
        first = blocks[0]
        return [Paragraph(merge_text([Text(box + " "), *first.inlines])), *blocks[1:]]
    return [Paragraph((Text(box),)), *blocks]


def _align(style: str) -> Align:
    if "center" in style:
        return "center"
    if "right" in style:
        return "right"
    return "left"


def table_note(shown: int, omitted: int) -> str:
    """The note under a table whose rows were capped when parsed ("" if none were)."""
    if not omitted:
        return ""
    return (f"Table shortened: showing {shown:,} of {shown + omitted:,} rows; the Markdown "
            "output has all of them.")


def parse_markdown(text: str) -> tuple[Block, ...]:
    """Parse CommonMark + GFM (tables, strikethrough, task lists, autolinks, footnotes).

    Args:
        text: Markdown source; raw HTML is kept as literal text.

    Returns:
        The top-level blocks in document order; footnotes, if any, last.
    """
    env: dict[str, object] = {}
    conv = _Converter()
    blocks = conv.blocks(parser().parse(text, env))
    notes = conv.footnotes(env)
    if env.get("dr_flattened") or conv.flattened:
        log.warning("Markdown nested deeper than the layout supports (blocks %d, spans %d "
                    "levels): the deeper part is shown as plain text", BLOCK_DEPTH // 2,
                    INLINE_DEPTH)
    return blocks + ((notes,) if notes else ())
