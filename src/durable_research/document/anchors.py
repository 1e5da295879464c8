"""Heading anchors and the one check of every link in a document.

Headings get GitHub-style slugs, so a table of contents an LLM writes as
``[Intro](#intro)`` jumps to its heading in HTML and PDF. After this pass every
:class:`Link` left in the model is an http(s) or mailto URL or an anchor that exists;
anything else is plain text. Layouts can rely on that (a PDF link to a missing named
destination would fail the whole file).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from durable_research.document.docmodel import (
    Block,
    BlockQuote,
    Emphasis,
    Footnotes,
    Heading,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    ReferenceList,
    Strike,
    Strong,
    Table,
    footnote_anchor,
    footnote_ref_anchor,
    merge_text,
    plain_text,
)

# GitHub keeps letters, digits, combining marks, "_", "-" and spaces (then spaces become
# "-").
_SLUG_KEEP = "_- "
_MAX_SLUG = 120


def _kept(char: str) -> bool:
    # A combining mark (a Devanagari vowel sign) continues an identifier: "a" + it is one.
    return char.isalnum() or char in _SLUG_KEEP or f"a{char}".isidentifier()


def slug(text: str) -> str:
    """GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(c for c in text.strip().lower() if _kept(c))
    return kept.replace(" ", "-")[:_MAX_SLUG]


def _walk(blocks: Sequence[Block]) -> Iterator[Block]:
    for b in blocks:
        yield b
        if isinstance(b, ListBlock):
            for item in b.items:
                yield from _walk(item)
        elif isinstance(b, BlockQuote):
            yield from _walk(b.blocks)
        elif isinstance(b, Footnotes):
            for note in b.notes:
                yield from _walk(note.blocks)


def _targets(blocks: Sequence[Block]) -> tuple[set[str], set[str]]:
    """Anchors of references and footnotes, and the HTML-only ids of footnote back links.

    The first set are link targets in every output; slugs must avoid both.
    """
    targets: set[str] = set()
    backrefs: set[str] = set()
    for b in _walk(blocks):
        if isinstance(b, ReferenceList):
            targets.update(e.anchor for e in b.entries if e.anchor)
        elif isinstance(b, Footnotes):
            for note in b.notes:
                targets.add(footnote_anchor(note.n))
                backrefs.update(footnote_ref_anchor(note.n, k) for k in range(note.refs))
    return targets, backrefs


def _slugs(blocks: Sequence[Block], taken: set[str]) -> list[str]:
    """One unique slug per heading in document order ("-1", "-2"... for repeats)."""
    out: list[str] = []
    for b in _walk(blocks):
        if not isinstance(b, Heading):
            continue
        base = slug(plain_text(b.inlines))
        name, k = base, 0
        while not name or name in taken:
            k += 1
            name = f"{base}-{k}" if base else f"section-{k}"
        taken.add(name)
        out.append(name)
    return out


def _target(href: str, known: set[str]) -> str | None:
    if href.startswith("#"):
        frag = unquote(href[1:])
        for cand in (frag, frag.lower(), slug(frag)):
            if cand in known:
                return "#" + cand
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if (scheme in ("http", "https") and parts.netloc) or (scheme == "mailto" and parts.path):
        return href
    return None


class _Linker:
    def __init__(self, slugs: list[str], known: set[str]) -> None:
        self.slugs = iter(slugs)
        self.known = known

    def inlines(self, items: Sequence[Inline]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for it in items:
            if isinstance(it, Link):
                href = _target(it.href, self.known)
                kids = self.inlines(it.children)
                out.extend((Link(href, kids),) if href else kids)
            elif isinstance(it, Strong | Emphasis | Strike):
                out.append(replace(it, children=self.inlines(it.children)))
            else:
                out.append(it)
        return merge_text(out)

    def blocks(self, blocks: Sequence[Block]) -> tuple[Block, ...]:
        return tuple(self.block(b) for b in blocks)

    def block(self, b: Block) -> Block:
        if isinstance(b, Heading):
            # Same walk order as _slugs: the heading first, then what it contains.
            return Heading(b.level, self.inlines(b.inlines), next(self.slugs, ""))
        if isinstance(b, Paragraph):
            return Paragraph(self.inlines(b.inlines))
        if isinstance(b, ListBlock):
            return replace(b, items=tuple(self.blocks(item) for item in b.items))
        if isinstance(b, BlockQuote):
            return BlockQuote(self.blocks(b.blocks))
        if isinstance(b, Table):
            return replace(b, header=tuple(self.inlines(c) for c in b.header),
                           rows=tuple(tuple(self.inlines(c) for c in r) for r in b.rows))
        if isinstance(b, ReferenceList):
            return ReferenceList(tuple(replace(e, inlines=self.inlines(e.inlines))
                                       for e in b.entries))
        if isinstance(b, Footnotes):
            return Footnotes(tuple(replace(n, blocks=self.blocks(n.blocks)) for n in b.notes))
        return b


def link_anchors(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Give headings anchors and keep only links that are safe and resolve.

    Args:
        blocks: All blocks of a document (body, footnotes, References, About).

    Returns:
        The blocks with :attr:`Heading.anchor` set, ``#x`` links pointing at an
        existing anchor and non-web links turned into their text.
    """
    targets, backrefs = _targets(blocks)
    slugs = _slugs(blocks, targets | backrefs)
    return _Linker(slugs, targets | set(slugs)).blocks(blocks)
