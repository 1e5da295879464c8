"""Turn fetched or local bytes into clean text: charset detection and whitespace clean-up."""

from __future__ import annotations

import codecs
import re

from durable_research.research.fences import fence_ranges

# Labels browsers treat as windows-1252 (the WHATWG Encoding Standard): pages declared
# ISO-8859-1 routinely contain cp1252 punctuation (curly quotes, dashes) in 0x80-0x9F.
# These labels are also servers' default when nobody configured one, so bytes that are
# valid UTF-8 are read as UTF-8 first (Latin-1 text with accents is almost never valid
# UTF-8, so the guess is safe).
_CP1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0/C1 control characters except tab and newline; zero-width characters and BOMs.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff]")
_HSPACE = re.compile(r"[^\S\n\t]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def meta_charset(body: bytes) -> str:
    """The charset declared by a ``<meta charset>`` or http-equiv tag near the top, or ""."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore").lower() if match else ""


def _try(body: bytes, label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    candidates = ["utf-8", "cp1252", "latin-1"] if label in _CP1252_ALIASES else [label]
    for name in candidates:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return None


# How much of a body is looked at to tell text from binary data (as git and grep do).
_BINARY_SNIFF_BYTES = 8192
# NUL bytes a UTF-8 text may hold by accident; random or packed data has one in 256 bytes.
_STRAY_NULS = 4


def is_binary(body: bytes) -> bool:
    """Whether ``body`` is binary data rather than text: NUL bytes near the start, in
    bytes that are no UTF-8 text or in more than a few places.

    No text encoding but UTF-16/32 puts NUL bytes in text, and those are recognised by
    their byte order mark. Without this, an image or archive with a text name (``.md``,
    ``.html``) decoded as cp1252, which never fails, and became a document of mojibake.
    A stray NUL in UTF-8 text (a copy-paste, a broken editor) is a control character
    normalisation drops, not a reason to lose the document.
    """
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = body[:_BINARY_SNIFF_BYTES]
    nuls = sample.count(b"\0")
    if not nuls:
        return False
    if nuls > _STRAY_NULS:
        return True
    try:  # a multi-byte character cut by the sample's end is still text
        codecs.getincrementaldecoder("utf-8")().decode(
            sample, final=len(body) <= len(sample))
    except UnicodeDecodeError:
        return True
    return False


def decode_bytes(body: bytes, charset: str = "", html: bool = False) -> str:
    """Decode with a BOM, the given charset, a meta charset (HTML), UTF-8, then cp1252.

    The cp1252 fallback never fails (undefined bytes are replaced), so legacy pages
    come out readable: ``é`` rather than ``Ã©`` or an exception.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    labels = [charset]
    if html:
        labels.append(meta_charset(body))
    labels.append("utf-8")
    for label in labels:
        text = _try(body, label)
        if text is not None:
            return text
    return body.decode("cp1252", errors="replace")


def normalize_text(text: str, limit: int = 0) -> str:
    """Clean text for storage and search: newlines, control characters, blank runs.

    Line breaks become ``\\n``, form feeds (PDF page breaks) become paragraph breaks,
    runs of spaces collapse and lines are stripped (except inside fenced code blocks, where
    only trailing spaces go), and at most one blank line separates paragraphs. With
    ``limit`` the text is cut, at a paragraph or word boundary if one is near.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    lines = _CONTROL.sub("", text).split("\n")
    # Code keeps its indentation and spacing (fence lines themselves are cleaned).
    code = {i for a, b in fence_ranges(lines) for i in range(a + 1, b)}
    text = "\n".join(line.rstrip() if i in code else _HSPACE.sub(" ", line).strip()
                     for i, line in enumerate(lines))
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if limit and len(text) > limit:
        cut = text[:limit]
        # Prefer a clean cut, but never throw away more than a tenth of the allowance.
        for sep in ("\n\n", "\n", " "):
            at = cut.rfind(sep)
            if at > limit * 0.9:
                cut = cut[:at]
                break
        text = cut.rstrip()
    return text


_SENTENCE_END = tuple('.!?:;…"”’)')


def reflow_lines(page: str) -> str:
    """Rejoin the hard-wrapped lines of one PDF page into paragraphs.

    PDF text comes as visual lines, so a sentence is split wherever the page wrapped it,
    which breaks quoting and search. A line clearly shorter than the page's longest line
    ends a paragraph (or is a heading); a full line ending a sentence keeps its line
    break; other full lines continue on the next, and a word hyphenated across the break
    is rejoined.
    """
    lines = [line.strip() for line in page.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    width = max(len(line) for line in lines)
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        if len(prev) < 0.75 * width:
            out.append("\n\n" + line)
        elif prev.endswith(_SENTENCE_END):
            out.append("\n" + line)
        elif prev.endswith("-") and line[:1].islower():
            out[-1] = out[-1][:-1]
            out.append(line)
        else:
            out.append(" " + line)
    return "".join(out)
