"""Keys of one run's artifacts, derived from the workflow id the worker is serving.

An activity never writes where its input says: it writes under its own run's prefix
(``runs/<workflow id>/``), and reads only its run's keys or content-addressed texts.
Child workflows have ids ``<parent id>/<name>``, so they share the parent's run.
"""

from __future__ import annotations

import re

from durable_research.store import validate_key
from durable_research.store.errors import StoreError

_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")
# Keys anyone may read: content-addressed, so knowing the key means knowing the content.
SHARED_PREFIXES = ("texts/", "collections/")


def _segment(text: str) -> str:
    seg = _UNSAFE.sub("_", text)[:120] or "_"
    return seg if seg[0].isalnum() else f"x{seg}"


def run_prefix(workflow_id: str) -> str:
    """``runs/<root id>/``: the folder of a report run and all its child workflows."""
    return f"runs/{_segment(workflow_id.split('/')[0])}/"


def run_key(workflow_id: str, name: str) -> str:
    """The key for ``name`` (``a/b.json``) in the folder of ``workflow_id``'s run."""
    parts = [_segment(p) for p in workflow_id.split("/")[1:]]
    parts += [_segment(p) for p in name.split("/") if p]
    return validate_key(run_prefix(workflow_id) + "/".join(parts))


def readable_key(workflow_id: str, key: str) -> str:
    """Return ``key`` if the run of ``workflow_id`` may read it.

    Raises:
        StoreError: The key belongs to another run (a forged input).
    """
    validate_key(key)
    if key.startswith(SHARED_PREFIXES) or key.startswith(run_prefix(workflow_id)):
        return key
    raise StoreError(f"key {key[:80]!r} belongs to another run")
