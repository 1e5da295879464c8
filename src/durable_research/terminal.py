"""Untrusted text (questions, ids, LLM drafts, web titles, provider errors) for the terminal."""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls except tab and newline: escape sequences (OSC 52 clipboard writes,
# title changes, screen clears) must never reach the terminal. Bidi controls (embeddings,
# overrides, isolates, marks) neither: a source title or an LLM line could reorder what
# is shown after it ("Trojan Source"), e.g. make a path or a number read backwards.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters (tab and newline kept) and without
    bidi controls."""
    return _CONTROLS.sub("", text)


def safe(text: str) -> str:
    """``text`` ready for Rich markup: controls removed, ``[`` escaped."""
    return escape(strip_controls(str(text)))
