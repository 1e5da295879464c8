"""Untrusted text (questions, ids, LLM drafts, web titles, provider errors) for the terminal."""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls except tab and newline: escape sequences (OSC 52 clipboard writes,
# title changes, screen clears) must never reach the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters (tab and newline kept)."""
    return _CONTROLS.sub("", text)


def safe(text: str) -> str:
    """``text`` ready for Rich markup: controls removed, ``[`` escaped."""
    return escape(strip_controls(str(text)))
