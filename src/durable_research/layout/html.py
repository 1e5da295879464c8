"""HTML output: one self-contained, escaped UTF-8 page (no scripts, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from durable_research.contract.report import ReportContent
from durable_research.document.mdparse import table_note
from durable_research.document.render import (
    DISPUTED_LABEL,
    UNVERIFIED_LABEL,
    Block,
    BlockQuote,
    CheckMark,
    Citation,
    Code,
    CodeBlock,
    Document,
    Emphasis,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    ReferenceList,
    Rule,
    Strike,
    Strong,
    Table,
    Text,
    build_document,
    footnote_anchor,
    footnote_ref_anchor,
    ref_anchor,
)
from durable_research.layout.mdsafe import is_safe_href

_CSS = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:48rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1d1d1d;overflow-wrap:break-word}
h1.title{margin-bottom:.3rem;border-bottom:3px solid #1a4f9c}
.meta{color:#444;margin:.2rem 0}
blockquote{border-left:4px solid #9aaccc;margin-left:0;padding-left:1rem;color:#3a3a3a}
pre{background:#f5f5f5;border:1px solid #ccc;padding:.6rem;white-space:pre-wrap;
overflow-wrap:anywhere}
code{background:#eee;padding:0 .2rem}
pre code{background:none;padding:0}
table{border-collapse:collapse}
th,td{border:1px solid #bbb;padding:.25rem .5rem;vertical-align:top}
th{background:#e8eef7}
a{color:#1a4f9c}
.footnotes{font-size:.9em}
""".strip()
# Inline style, not CSS: pages without the marker keep exactly their old stylesheet.
_CHECK_MARKS = {
    UNVERIFIED_LABEL: '<span class="unverified" style="font-size:.8em;font-style:italic;'
                      'color:#777">' + escape(UNVERIFIED_LABEL) + "</span>",
    DISPUTED_LABEL: '<span class="disputed" style="font-size:.8em;font-style:italic;'
                    'font-weight:bold;color:#a33">' + escape(DISPUTED_LABEL) + "</span>",
}


def inlines_html(inlines: Sequence[Inline]) -> str:
    """Render inline spans as escaped HTML."""
    out: list[str] = []
    for it in inlines:
        if isinstance(it, Text):
            out.append(escape(it.text))
        elif isinstance(it, Code):
            out.append(f"<code>{escape(it.text)}</code>")
        elif isinstance(it, LineBreak):
            out.append("<br>")
        elif isinstance(it, Strong):
            out.append(f"<strong>{inlines_html(it.children)}</strong>")
        elif isinstance(it, Emphasis):
            out.append(f"<em>{inlines_html(it.children)}</em>")
        elif isinstance(it, Strike):
            out.append(f"<del>{inlines_html(it.children)}</del>")
        elif isinstance(it, Link):
            href = it.href if is_safe_href(it.href) else None
            inner = inlines_html(it.children)
            out.append(f'<a href="{escape(href)}">{inner}</a>' if href else inner)
        elif isinstance(it, Citation):
            out.append(f'<a href="#{ref_anchor(it.n)}" class="cite">{it.n}</a>')
        elif isinstance(it, CheckMark):
            out.append(_CHECK_MARKS[it.label])
        elif isinstance(it, FootnoteRef):
            out.append(f'<sup class="fnref"><a href="#{footnote_anchor(it.n)}" '
                       f'id="{footnote_ref_anchor(it.n, it.sub)}">{it.n}</a></sup>')
    return "".join(out)


def _table(t: Table) -> str:
    def row(cells: Sequence[tuple[Inline, ...]], tag: str) -> str:
        tds = []
        for i, c in enumerate(cells):
            align = t.aligns[i] if i < len(t.aligns) else "left"
            tds.append(f'<{tag} dir="auto" style="text-align:{align}">{inlines_html(c)}</{tag}>')
        return "<tr>" + "".join(tds) + "</tr>"

    body = "".join(row(r, "td") for r in t.rows)
    table = f"<table><thead>{row(t.header, 'th')}</thead><tbody>{body}</tbody></table>"
    note = table_note(len(t.rows), t.omitted)
    # Inline style, as for the check marks: other pages keep their old stylesheet.
    return table + (f'<p class="note" style="font-size:.9em;color:#555">'
                    f"<em>{escape(note)}</em></p>" if note else "")


def _references(block: ReferenceList) -> str:
    # value= keeps each label equal to its reference number, even across gaps.
    items = []
    for e in block.entries:
        anchor = f' id="{escape(e.anchor)}"' if e.anchor else ""
        items.append(f'<li{anchor} value="{e.n}" dir="auto">{inlines_html(e.inlines)}</li>')
    return '<ol class="references">' + "".join(items) + "</ol>"


def _footnotes(block: Footnotes) -> str:
    items = []
    for note in block.notes:
        back = "".join(f' <a href="#{footnote_ref_anchor(note.n, k)}" class="backref">↩</a>'
                       for k in range(note.refs))
        items.append(f'<li id="{footnote_anchor(note.n)}" value="{note.n}" dir="auto">'
                     f"{blocks_html(note.blocks)}{back}</li>")
    return '<section class="footnotes"><hr><ol>' + "".join(items) + "</ol></section>"


def blocks_html(blocks: Sequence[Block]) -> str:
    """Render blocks as escaped HTML; ``dir="auto"`` lets browsers lay out RTL text."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            lv = min(max(b.level, 1), 6)
            anchor = f' id="{escape(b.anchor)}"' if b.anchor else ""
            out.append(f'<h{lv}{anchor} dir="auto">{inlines_html(b.inlines)}</h{lv}>')
        elif isinstance(b, Paragraph):
            out.append(f'<p dir="auto">{inlines_html(b.inlines)}</p>')
        elif isinstance(b, ListBlock):
            items = "".join(f"<li>{blocks_html(item)}</li>" for item in b.items)
            if b.ordered:
                start = f' start="{b.start}"' if b.start != 1 else ""
                out.append(f"<ol{start}>{items}</ol>")
            else:
                out.append(f"<ul>{items}</ul>")
        elif isinstance(b, BlockQuote):
            out.append(f'<blockquote dir="auto">{blocks_html(b.blocks)}</blockquote>')
        elif isinstance(b, CodeBlock):
            cls = f' class="language-{escape(b.language)}"' if b.language else ""
            out.append(f"<pre><code{cls}>{escape(b.text)}</code></pre>")
        elif isinstance(b, Table):
            out.append(_table(b))
        elif isinstance(b, ReferenceList):
            out.append(_references(b))
        elif isinstance(b, Footnotes):
            out.append(_footnotes(b))
        elif isinstance(b, Rule):
            out.append("<hr>")
    return "\n".join(out)


def document_html(doc: Document) -> str:
    """Render a whole document as an HTML page string."""
    t = doc.title
    meta = [f'<p class="meta" dir="auto"><strong>Question:</strong> {escape(t.question)}</p>']
    meta.append(
        f'<p class="meta"><strong>Date:</strong> {escape(t.date or "unknown")} &nbsp; '
        f'<strong>Model:</strong> {escape(t.model or "unknown")}</p>'
    )
    if not t.question:
        meta.pop(0)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" dir="auto">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(t.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1 class="title" dir="auto">{escape(t.title)}</h1>\n'
        + "\n".join(meta)
        + "</header>\n<main>\n"
        + blocks_html(doc.blocks)
        + "\n</main>\n</body>\n</html>\n"
    )


def render_html(content: ReportContent) -> bytes:
    """Return the report as a self-contained UTF-8 HTML page.

    Args:
        content: The report data.

    Returns:
        UTF-8 encoded HTML; lone surrogates are replaced so encoding never fails.
    """
    return document_html(build_document(content)).encode("utf-8", errors="replace")
