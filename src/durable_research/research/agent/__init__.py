"""The research agent's pure parts: the tool registry, step types, transcript formats."""
