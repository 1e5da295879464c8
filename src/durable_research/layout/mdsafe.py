"""Make the Markdown output safe to open: no control characters, no unsafe link targets.

The ``.md`` file keeps the body as the model (or a reviewer) wrote it, and the model
writes from web pages: a page can get ``[click](javascript:...)``, a NUL or an ESC
sequence into it (issue 25). The HTML output never renders raw HTML and drops links
outside ``SAFE_SCHEMES``; Markdown viewers differ, so the file itself is cleaned:

- control characters go (C0 but tab and newline, DEL, C1; ``\\r\\n`` becomes ``\\n``);
- every link target whose scheme is not http, https or mailto (``javascript:``,
  ``data:``, ``vbscript:``, ``file:``...) is turned into an in-page fragment (``#`` put in
  front: ``[x](#javascript:...)``): inline links and images, reference definitions, and
  ``href``/``src``-like attributes of raw HTML; such an autolink (``<javascript:...>``)
  is escaped into plain text. The scheme is judged as a browser reads it (entities and
  backslash escapes decoded, blanks and controls removed); a target whose first
  ``SCHEME_WINDOW`` characters do not settle it counts as unsafe.

Fenced code blocks and inline code spans are left as they are (their text is shown,
never followed). Not covered: raw HTML tags themselves (``<script>``, ``onerror=``)
for a viewer that renders raw HTML; a relative target is kept.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# Schemes a reader can follow safely; anything else is shown as text only.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Characters of a target read to find its scheme (bounded: the work stays linear).
SCHEME_WINDOW = 256

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")
_INLINE_DEST = re.compile(r"\]\([ \t]*<?")
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*<?")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_ATTRIBUTE = re.compile(
    r"""(?i)\b(?:href|src|action|formaction|xlink:href|poster|background|srcset)\s*=\s*"""
    r"""["']?""")
_SCHEME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789+.-"
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_ESCAPED = re.compile(r"\\(.)")


def is_safe_target(target: str) -> bool:
    """Whether a link target (as written in Markdown or HTML) is relative or uses a safe
    scheme, read as a browser would; undecided within ``SCHEME_WINDOW`` is unsafe."""
    window = target[:SCHEME_WINDOW]
    plain = _BLANKS.sub("", html.unescape(_ESCAPED.sub(r"\1", window))).lower()
    end = len(plain) - len(plain.lstrip(_SCHEME_CHARS))
    if end == len(plain):
        return len(window) == len(target)  # all of it read: relative, like "notes"
    if plain[end] != ":":
        return True  # "page.html#x", "../a": relative
    return plain[:end] in SAFE_SCHEMES


def is_safe_href(href: str) -> bool:
    """Whether an (already parsed) href may be a link: in-document, or a safe scheme."""
    if href.startswith("#"):
        return True
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


def sanitize_markdown(text: str) -> str:
    """``text`` without control characters and with unsafe link targets neutralised."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            out.append(line)
        elif opened:
            fence = opened.group(1)
            out.append(line)
        else:
            out.append(_line(line))
    return "\n".join(out)


def _line(line: str) -> str:
    """One line outside code blocks; its code spans are kept as they are."""
    parts: list[str] = []
    pos = 0
    for start, end in _code_spans(line):
        parts += [_prose(line[pos:start]), line[start:end]]
        pos = end
    parts.append(_prose(line[pos:]))
    return "".join(parts)


def _code_spans(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each code span: a backtick run up to the next run as long
    (linear: each run is paired with the next of its length, found in one pass)."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(line)]
    following: list[int] = [-1] * len(runs)
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        following[i] = last.get(length, -1)
        last[length] = i
    spans = []
    i = 0
    while i < len(runs):
        close = following[i]
        if close < 0:
            i += 1
            continue
        spans.append((runs[i][0], runs[close][1]))
        i = close + 1
    return spans


def _prose(text: str) -> str:
    text = _AUTOLINK.sub(
        lambda m: m.group() if is_safe_target(m.group(1)) else f"\\<{m.group(1)}\\>", text)
    for pattern in (_REFERENCE, _ATTRIBUTE, _INLINE_DEST):
        text = _fragments(pattern, text)
    return text


def _fragments(pattern: re.Pattern[str], text: str) -> str:
    """Put ``#`` in front of each unsafe target that ``pattern`` finds the start of."""
    out: list[str] = []
    pos = 0
    for found in pattern.finditer(text):
        start = found.end()
        if not is_safe_target(text[start:start + SCHEME_WINDOW + 1]):
            out += [text[pos:start], "#"]
            pos = start
    return "".join(out) + text[pos:]
