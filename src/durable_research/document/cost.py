"""A report's cost as documents and the live front ends show it.

Its own module, not ``render``'s: the command line and the web page format costs on
every result, and ``render`` imports the Markdown parser (markdown-it, ~0.1 s of a
``research run``'s start) that they otherwise never need.
"""

from __future__ import annotations

from durable_research.contract.llm import OFFLINE_MODELS

# The embedded offline model's calls: free, though litellm could not price them.
OFFLINE_COST = "$0.00 (offline model)"


def format_cost(cost_usd: float | None, places: int = 4, model: str = "") -> str:
    """Format a cost in US dollars, or "unknown" when litellm could not price the call
    (:data:`OFFLINE_COST` when ``model``, the calls' model, is the embedded one).

    Documents show 4 decimal places; the live UIs 6 (``client.present.format_cost``).
    """
    if cost_usd is None:
        return OFFLINE_COST if model in OFFLINE_MODELS else "unknown"
    return f"${cost_usd:.{places}f}"
