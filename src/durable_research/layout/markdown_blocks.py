"""Document blocks -> Markdown, for the generated parts of the Markdown output.

The body of a report is written verbatim (it already is Markdown); the References
section and the research part of "About this report" are built as document blocks
(shared with PDF and HTML) and serialized here. All text is escaped so it shows
literally: a title such as ``# [x](javascript:...)`` stays text, and citation brackets
come out as ``\\[2\\]`` so they can never turn into link references.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from durable_research.document.render import (
    Block,
    CheckMark,
    Citation,
    Code,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    ReferenceList,
    Strike,
    Strong,
    Table,
    Text,
    plain_text,
)
from durable_research.layout.mdsafe import is_safe_href

# Inline syntax characters (same set as md_escape in layout.markdown).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&])")
# What would make a line start a heading, list, quote or setext underline.
_BLOCK_START = re.compile(r"^([#+=\->])|^(\d{1,9})([.)])")
# CommonMark ordered-list numbers have at most 9 digits and cannot be negative.
_MAX_LIST_NUMBER = 999_999_999


def _text(text: str) -> str:
    # Runs of whitespace (incl. newlines) become one space; edges are kept because
    # spans are concatenated ("**Label:**" + " value").
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))


def code_span(text: str) -> str:
    """A code span that shows ``text`` literally, whatever backticks it contains."""
    text = " ".join(text.split()) or " "
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inlines_md(inlines: Sequence[Inline]) -> str:
    """Serialize inline spans on one line, escaping all text."""
    out: list[str] = []
    for it in inlines:
        if isinstance(it, Text):
            out.append(_text(it.text))
        elif isinstance(it, Code):
            out.append(code_span(it.text))
        elif isinstance(it, LineBreak):
            out.append(" ")
        elif isinstance(it, Strong):
            out.append(f"**{inlines_md(it.children)}**")
        elif isinstance(it, Emphasis):
            out.append(f"*{inlines_md(it.children)}*")
        elif isinstance(it, Strike):
            out.append(f"~~{inlines_md(it.children)}~~")
        elif isinstance(it, Link):
            out.append(_link(it))
        elif isinstance(it, Citation):
            out.append(str(it.n))  # its brackets are escaped Text around it
        elif isinstance(it, CheckMark):
            out.append(_text(it.label))
    return "".join(out)


def _link(link: Link) -> str:
    inner = inlines_md(link.children)
    if re.search(r"[\s<>]", link.href) or not is_safe_href(link.href):
        return inner  # cannot be written as a destination, or unsafe: the text only
    if plain_text(link.children) == link.href:
        return f"<{link.href}>"  # autolink: no escapes are processed inside
    return f"[{inner}](<{link.href.replace(chr(92), chr(92) * 2)}>)"


def _guard(line: str) -> str:
    """Escape a leading character that would otherwise start a block."""
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if m.group(1):
        return "\\" + line
    return f"{m.group(2)}\\{line[m.end(2):]}"


def _indent(lines: list[str], prefix: str) -> list[str]:
    pad = " " * len(prefix)
    return [(prefix if i == 0 else pad) + ln if ln else "" for i, ln in enumerate(lines)]


def _reference_list(block: ReferenceList) -> list[str]:
    lines: list[str] = []
    delim, prev = ".", None
    for e in block.entries:
        body = _guard(inlines_md(e.inlines))
        if not 0 <= e.n <= _MAX_LIST_NUMBER:
            lines.append(f"- {_text(str(e.n))}\\. {body}")
            prev = None
            continue
        # Markdown numbers list items itself; a new delimiter starts a new list, so a gap
        # ("2." then "5)") keeps each label equal to its reference number.
        if prev is not None and e.n != prev + 1:
            delim = ")" if delim == "." else "."
        lines.append(f"{e.n}{delim} {body}")
        prev = e.n
    return lines


def block_md(b: Block) -> list[str]:
    """Lines of one block (without the blank line that separates blocks)."""
    if isinstance(b, Heading):
        return [f"{'#' * min(max(b.level, 1), 6)} {inlines_md(b.inlines).strip()}"]
    if isinstance(b, Paragraph):
        return [_guard(inlines_md(b.inlines).strip()) or "&nbsp;"]
    if isinstance(b, ListBlock):
        lines: list[str] = []
        for i, item in enumerate(b.items):
            marker = f"{b.start + i}. " if b.ordered else "- "
            lines += _indent(blocks_md(item) or [""], marker)
        return lines
    if isinstance(b, ReferenceList):
        return _reference_list(b)
    if isinstance(b, Table):
        return _table(b)
    return []  # other blocks never occur in generated sections


def _table(b: Table) -> list[str]:
    """A GFM table: every cell on one line, its pipes escaped like all text."""
    width = max([len(b.header), *(len(r) for r in b.rows)])

    def row(cells: Sequence[Sequence[Inline]]) -> str:
        texts = [inlines_md(c).strip() for c in cells] + [""] * (width - len(cells))
        return "| " + " | ".join(texts) + " |"

    rule = "| " + " | ".join(["---"] * width) + " |"
    return [row(b.header), rule, *(row(r) for r in b.rows)]


def blocks_md(blocks: Sequence[Block]) -> list[str]:
    """Lines of several blocks separated by blank lines."""
    out: list[str] = []
    for b in blocks:
        lines = block_md(b)
        if lines:
            out += ([""] if out else []) + lines
    return out
