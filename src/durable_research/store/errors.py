"""Errors of the artifact store, classified for Temporal's retry policies."""

from __future__ import annotations


class StoreError(Exception):
    """The store refused a request; not fixed by retrying (bad key, refused credentials)."""


class ArtifactMissingError(StoreError):
    """No object under the key."""


class StoreUnavailableError(Exception):
    """The store could not be reached; a retry may succeed."""
