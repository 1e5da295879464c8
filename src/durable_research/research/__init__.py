"""Research: search providers, safe page fetching, text extraction, citation checks.

Plain library code (no Temporal imports): activities wrap it, tests drive it directly.
"""
