"""Research-report parts of the document model: citation links, References, checks.

Pure functions only, like :mod:`durable_research.document.render`: they turn the research data
of a :class:`ReportContent` (numbered references, citation check, research notes) into
document blocks that every layout reads the same way. Single-call reports carry none
of that data, so these functions add nothing to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from durable_research.contract.citations import (
    Authority,
    DisputedCitation,
    Reference,
    SourceKind,
    Verification,
    clip_whole,
)
from durable_research.contract.report import ReportContent
from durable_research.document.docmodel import (
    CHECK_LABELS,
    Block,
    BlockQuote,
    CheckMark,
    Citation,
    Code,
    Emphasis,
    Footnotes,
    Heading,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    ReferenceEntry,
    ReferenceList,
    Strike,
    Strong,
    Table,
    Text,
    ref_anchor,
)

REFERENCES_HEADING = "References"
# Before a disputed claim's cited passage when its source does not state the claim.
NOT_STATED = "does not state this; its closest passage:"
# How a reference's authority reads after it; ordinary sources say nothing.
AUTHORITY_NOTES: dict[str, str] = {
    Authority.PREFERRED: "preferred source",
    Authority.LOW_TRUST: "low-trust site: a content farm or re-post",
}
# After a source that no sentence cites: it is listed because it disputes a claim.
DISPUTING_ONLY_NOTE = "not cited: it disputes a claim"

# "[2]", "[2, 3]", "[2; 5-7]" (the forms the citation checker reads; each of "[1][4]"
# matches on its own) and the checker's marker. Numbers are capped at 9 digits so int()
# never sees a huge digit string.
_NUM = r"\d{1,9}(?:\s*[-–—]\s*\d{1,9})?"
_MARKERS = re.compile(
    rf"\[\s*{_NUM}(?:\s*[,;]\s*{_NUM})*\s*\]|" + "|".join(map(re.escape, CHECK_LABELS)))
_NUMBER = re.compile(r"\d+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters a well-formed URL has percent-encoded; their presence means "show as text"
# (they would also need quoting in Markdown link destinations).
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>\"\\`]")
_MAX_SENTENCE = 600


def clean_text(text: str) -> str:
    """Replace lone surrogates (not encodable as UTF-8) by U+FFFD so no output can crash."""
    return _SURROGATES.sub("\ufffd", text)


def _one_line(text: str) -> str:
    # Titles and sentences come from web pages and LLMs: newlines and runs of spaces
    # would break list items in Markdown and look odd everywhere else.
    return " ".join(clean_text(text).split())


# ---- citation markers in the body -----------------------------------------------------------
def _split_text(text: str, known: frozenset[int], markers: bool) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in _MARKERS.finditer(text):
        if m.group() in CHECK_LABELS:
            if markers:
                out += [Text(text[pos:m.start()]), CheckMark(m.group())]
                pos = m.end()
            continue
        # Only the numbers become citations; brackets and commas stay text, and a number
        # without a reference stays as it was written.
        for num in _NUMBER.finditer(m.group()):
            n = int(num.group())
            if n in known:
                start = m.start() + num.start()
                out += [Text(text[pos:start]), Citation(n)]
                pos = m.start() + num.end()
    out.append(Text(text[pos:]))
    return [it for it in out if not (isinstance(it, Text) and not it.text)]


def _link_inlines(
    inlines: Sequence[Inline], known: frozenset[int], markers: bool
) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for it in inlines:
        if isinstance(it, Text):
            out.extend(_split_text(it.text, known, markers))
        elif isinstance(it, Strong):
            out.append(Strong(_link_inlines(it.children, known, markers)))
        elif isinstance(it, Emphasis):
            out.append(Emphasis(_link_inlines(it.children, known, markers)))
        elif isinstance(it, Strike):
            out.append(Strike(_link_inlines(it.children, known, markers)))
        else:  # Code stays literal; a Link cannot contain another link
            out.append(it)
    return tuple(out)


def _link_block(b: Block, known: frozenset[int], markers: bool) -> Block:
    if isinstance(b, Heading):
        return replace(b, inlines=_link_inlines(b.inlines, known, markers))
    if isinstance(b, Paragraph):
        return Paragraph(_link_inlines(b.inlines, known, markers))
    if isinstance(b, ListBlock):
        items = tuple(link_citations(item, known, markers) for item in b.items)
        return ListBlock(b.ordered, b.start, items)
    if isinstance(b, BlockQuote):
        return BlockQuote(link_citations(b.blocks, known, markers))
    if isinstance(b, Table):
        header = tuple(_link_inlines(c, known, markers) for c in b.header)
        rows = tuple(tuple(_link_inlines(c, known, markers) for c in r) for r in b.rows)
        return replace(b, header=header, rows=rows)
    if isinstance(b, Footnotes):
        return Footnotes(tuple(replace(n, blocks=link_citations(n.blocks, known, markers))
                               for n in b.notes))
    return b  # code blocks are shown literally


def link_citations(
    blocks: Sequence[Block], known: frozenset[int], markers: bool = True
) -> tuple[Block, ...]:
    """Turn citation numbers in text into :class:`Citation` spans.

    Args:
        blocks: Parsed body blocks.
        known: Reference numbers that have an entry; other numbers stay plain text.
        markers: Also turn the checker's ``[unverified]`` / ``[disputed]`` into
            :class:`CheckMark`.

    Returns:
        The blocks with citations; code spans and code blocks are left untouched.
    """
    return tuple(_link_block(b, known, markers) for b in blocks)


def known_numbers(content: ReportContent) -> frozenset[int]:
    """Reference numbers a citation may link to."""
    return frozenset(r.n for r in content.references)


# ---- References section ---------------------------------------------------------------------
def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL that is safe to make a link, else None."""
    url = url.strip()
    if not url or _BAD_URL_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _accessed(value: str) -> str:
    value = _one_line(value)
    m = _ISO_DATE.match(value)
    return m.group() if m else value[:40]


def reference_entry(ref: Reference, anchor: str = "") -> ReferenceEntry:
    """One entry: ``Title — URL, accessed YYYY-MM-DD``, then ``(preferred source)`` or
    ``(low-trust site: ...)`` when it is one, and ``(not cited: ...)`` for a source that
    only disputes a claim; only http(s) URLs become links."""
    title = _one_line(ref.title)
    where = _one_line(ref.url)
    parts: list[Inline] = []
    if str(ref.kind) == SourceKind.LOCAL:
        # A local file: its path is shown literally, never as a link.
        if title and title != where:
            parts.append(Text(title + (" — " if where else "")))
        if where or not title:
            parts.append(Code(where or "(unknown file)"))
    else:
        url = safe_url(where)
        if title:
            parts.append(Link(url, (Text(title),)) if url else Text(title))
            if where:
                parts.append(Text(" — "))
        if url:
            parts.append(Link(url, (Text(url),)))
        elif where or not title:
            parts.append(Text(where or "(untitled source)"))
    accessed = _accessed(ref.accessed)
    if accessed:
        parts.append(Text(f", accessed {accessed}"))
    note = AUTHORITY_NOTES.get(str(ref.authority), "")
    if note:
        parts.append(Text(f" ({note})"))
    if not ref.cited:
        parts.append(Text(f" ({DISPUTING_ONLY_NOTE})"))
    return ReferenceEntry(ref.n, tuple(parts), anchor)


def reference_blocks(refs: Iterable[Reference]) -> tuple[Block, ...]:
    """The "References" heading and list, or nothing when there are no references."""
    entries: list[ReferenceEntry] = []
    seen: set[int] = set()
    for ref in refs:
        # A repeated number keeps its entry but not a second link target of that name.
        entries.append(reference_entry(ref, "" if ref.n in seen else ref_anchor(ref.n)))
        seen.add(ref.n)
    if not entries:
        return ()
    return (Heading(2, (Text(REFERENCES_HEADING),)), ReferenceList(tuple(entries)))


# ---- About section additions ----------------------------------------------------------------
def _label(label: str, rest: str) -> Paragraph:
    return Paragraph((Strong((Text(label),)), Text(rest)) if rest else (Strong((Text(label),)),))


def _clip(text: str) -> str:
    return clip_whole(clean_text(text), _MAX_SENTENCE)


def _cite(n: int, known: frozenset[int]) -> Inline:
    return Citation(n) if n in known else Text(str(n))


def _disputed_table(items: Sequence[DisputedCitation], known: frozenset[int]) -> Table:
    """Each disputed claim with both passages side by side: what its source says, and what
    the other source says instead (and why the checker calls it a contradiction)."""
    header = ((Text("Claim"),), (Text("Its source says"),), (Text("Another source says"),))
    rows = []
    for d in items:
        theirs: tuple[Inline, ...] = (Text("["), _cite(d.other, known),
                                      Text("] " + _clip(d.other_passage)))
        if _one_line(d.reason):
            theirs += (Text(" "), Emphasis((Text("(" + _one_line(d.reason) + ")"),)))
        ours: tuple[Inline, ...] = (Text("["), _cite(d.n, known), Text("] "))
        if not d.stated:  # a wrong citation: its closest passage is not what it says
            ours += (Emphasis((Text(NOT_STATED),)), Text(" "))
        rows.append(((Text(_clip(d.sentence)),), ours + (Text(_clip(d.passage)),), theirs))
    return Table(header, tuple(rows), ("left", "left", "left"))


def verification_blocks(v: Verification, known: frozenset[int]) -> tuple[Block, ...]:
    """The citation-check summary line, the disputed claims (both sources side by side) and
    the list of sentences that were not verified."""
    noun = "sentence" if v.checked == 1 else "sentences"
    summary = f" {v.supported} of {v.checked} cited {noun} verified as supported by their source"
    if v.corroborated:
        summary += f", {v.corroborated} of them corroborated by another independent source"
    if v.disputed:
        summary += f"; {len(v.disputed)} disputed by another source"
    if v.unsupported:
        # Every sentence counted: verified, disputed and these add up to the checked ones.
        summary += f"; {len(v.unsupported)} not verified"
    out: list[Block] = [_label(
        "Citations checked:", summary + f" ({v.judged} decided by an LLM judge).")]
    if v.disputed:
        listed = v.disputes_listed()
        out.append(_label("Disputed", " (marked [disputed] in the text): the sources disagree"
                          + (f"; {listed}." if listed else ".")))
        out.append(_disputed_table(v.distinct_disputes(), known))
    if not v.unsupported:
        return tuple(out)
    treatment = _one_line(v.treatment)
    listed = v.unsupported_listed()
    out.append(_label("Not verified", (f" ({treatment})" if treatment else "")
                      + (f"; {listed}:" if listed else ":")))
    items: list[tuple[Block, ...]] = []
    for u in v.distinct_unsupported():
        spans: list[Inline] = [Text(f"“{_clip(u.sentence)}” — source ["), _cite(u.n, known),
                               Text("]")]
        reason = _one_line(u.reason)
        if reason:
            spans.append(Text(": " + reason))
        items.append((Paragraph(tuple(spans)),))
    out.append(ListBlock(ordered=False, start=1, items=tuple(items)))
    return tuple(out)


def notes_blocks(notes: Iterable[str]) -> tuple[Block, ...]:
    """The "Research notes" list (failed pages, budget stops...), or nothing."""
    items = tuple((Paragraph((Text(n),)),) for n in (_one_line(x) for x in notes) if n)
    if not items:
        return ()
    return (_label("Research notes:", ""), ListBlock(ordered=False, start=1, items=items))


def research_about_blocks(content: ReportContent) -> tuple[Block, ...]:
    """What the About section adds for research reports (nothing for single-call ones)."""
    out: tuple[Block, ...] = ()
    if content.verification is not None:
        out += verification_blocks(content.verification, known_numbers(content))
    return out + notes_blocks(content.research_notes)


def research_body(blocks: tuple[Block, ...], content: ReportContent) -> tuple[Block, ...]:
    """Body blocks with citations linked, followed by the References section.

    Reports without references or verification are returned unchanged, so a
    single-call report that happens to contain "[1]" renders exactly as before.
    """
    if not content.references and content.verification is None:
        return blocks
    linked = link_citations(blocks, known_numbers(content))
    return linked + reference_blocks(content.references)
