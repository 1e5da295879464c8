"""Fenced code blocks (```` ``` ```` or ``~~~``) in Markdown-like text, found line by line.

Text inside a fence is code: whitespace there is meaning, not noise (``decode.normalize_text``
keeps it), and a blank line inside a fence does not end the block (``quotes.QuoteFinder``).
"""

from __future__ import annotations

import re

_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")


def fence_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """``(opening, closing)`` line numbers of each fence, in order; an unclosed fence runs
    to the last line. Fence lines may be indented (they are, inside list items)."""
    ranges: list[tuple[int, int]] = []
    opener, first = "", 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        match = _FENCE_RE.match(stripped)
        if not opener:
            if match and not (match.group(1)[0] == "`" and "`" in stripped[len(match.group(1)):]):
                opener, first = match.group(1), i
        elif match and not stripped.strip(opener[0]) and len(stripped) >= len(opener):
            ranges.append((first, i))
            opener = ""
    if opener:
        ranges.append((first, len(lines) - 1))
    return ranges
