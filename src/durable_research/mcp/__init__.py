"""The MCP server (``research mcp``): the research tools for AI assistants.

A front end beside ``cli/`` and ``web/``: a thin printer over the same client
functions (:mod:`durable_research.client`), over stdio or streamable HTTP.
"""
