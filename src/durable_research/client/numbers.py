"""Caps and counts as a person typed them: one rule and one message for every front end.

The CLI takes them as text and checks them here (click's own check said "'abc' is not a
valid float range" and took ``nan``, a cap no spending ever reaches); the HTTP API and
the MCP tools pass their numbers through the same functions.
"""

from __future__ import annotations

import math
import re

from durable_research.errors import UserError

# An amount a person would type for a cap (the messages' example).
EXAMPLE_USD = "0.50"
# What 0 means: no cap for a new report, the cap as it is for a raise.
NO_CAP_HINT = "0 means no cap"
KEEP_CAP_HINT = "0 keeps that cap as it is"
# Typical values of the counts, for the messages.
EXAMPLE_PAGES = 20
EXAMPLE_TOKENS = 20_000
EXAMPLE_STEPS = 12


def number_in(raw: str | float) -> float:
    """The number ``raw`` holds, as typed (text) or as a JSON body carried it; NaN when it
    holds none (the callers refuse anything not finite in one line of their own)."""
    try:
        return float(raw.strip() if isinstance(raw, str) else raw)
    except ValueError:
        return math.nan


def _shown(raw: str | float) -> str:
    return repr(raw.strip()[:40]) if isinstance(raw, str) else repr(str(raw))


def parse_usd(raw: str | float, what: str, hint: str = NO_CAP_HINT) -> float:
    """An amount in US dollars: a finite number, 0 or more.

    Args:
        raw: As typed (text) or as a JSON body carried it (a number).
        what: The option or field, as the front end calls it (``--budget-usd``).
        hint: What 0 means there.

    Raises:
        UserError: Not a number, not finite, or negative.
    """
    value = number_in(raw)
    if not math.isfinite(value):
        raise UserError(f"{what}: {_shown(raw)} is not an amount in US dollars "
                        f"(e.g. {EXAMPLE_USD})", hint)
    if value < 0:
        raise UserError(f"{what}: {value:g} is below 0", hint)
    return value + 0.0  # "-0" is 0.0, never shown as "$-0"


def parse_count(raw: str | float, what: str, example: int, hint: str = NO_CAP_HINT) -> int:
    """A whole number, 0 or more.

    Args:
        raw: As typed (text) or as a JSON body carried it (a number).
        what: The option or field, as the front end calls it (``--max-pages``).
        example: A typical value, for the message.
        hint: What 0 means there.

    Raises:
        UserError: Not a whole number, or negative.
    """
    value = _whole(raw)
    if value is None:
        raise UserError(f"{what}: {_shown(raw)} is not a whole number (e.g. {example})",
                        hint)
    if value < 0:
        raise UserError(f"{what}: {value} is below 0", hint)
    return value


def parse_bounded(raw: str | float, what: str, least: int, most: int) -> int:
    """A whole number from ``least`` to ``most`` (a port, how many to list).

    Raises:
        UserError: Not a whole number, or outside the range.
    """
    value = _whole(raw)
    if value is None:
        raise UserError(f"{what}: {_shown(raw)} is not a whole number from {least} to {most}")
    if not least <= value <= most:
        raise UserError(f"{what}: {value} is not from {least} to {most}")
    return value


def _whole(raw: str | float) -> int | None:
    """``raw`` as a whole number (digits, or a number without a fraction), else None."""
    if isinstance(raw, str):
        text = raw.strip()
        return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None
    if isinstance(raw, int) or (math.isfinite(raw) and raw == int(raw)):
        return int(raw)
    return None
