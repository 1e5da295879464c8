"""A report's cost as documents and the live front ends show it.

Its own module, not ``render``'s: the command line and the web page format costs on
every result, and ``render`` imports the Markdown parser (markdown-it, ~0.1 s of a
``research run``'s start) that they otherwise never need.
"""

from __future__ import annotations


def format_cost(cost_usd: float | None, places: int = 4) -> str:
    """Format a cost in US dollars, or "unknown" when litellm could not price the call.

    Documents show 4 decimal places; the live UIs 6 (``client.present.format_cost``).
    """
    if cost_usd is None:
        return "unknown"
    return f"${cost_usd:.{places}f}"
