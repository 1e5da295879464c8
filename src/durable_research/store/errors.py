"""Errors of the artifact store, classified for Temporal's retry policies."""

from __future__ import annotations

# Their base StoreError is with the other error types (durable_research.errors): the
# pure key shapes in contract/keys raise it too.
from durable_research.errors import StoreError


class ArtifactMissingError(StoreError):
    """No object under the key."""


class StoreUnavailableError(Exception):
    """The store could not be reached; a retry may succeed."""
