"""Caps on the work one PDF may take (many renders can run at once on one machine).

Beyond them content is shortened or simplified with a visible note in the report,
never silently. Every table was already capped, more loosely, when the Markdown was
parsed (``mdparse.MAX_PARSED_TABLE_*``, for the HTML too). Figures:
bench/render_bench.py ("big table" case).
"""

from __future__ import annotations

# Table cells laid out per table (reportlab's table layout grows faster than linearly
# with the rows of a table that spans many pages).
MAX_TABLE_CELLS = 4_000
# Characters of cell text per table.
MAX_TABLE_CHARS = 100_000
