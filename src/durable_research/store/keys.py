"""Keys of one run's artifacts, derived from the workflow id the worker is serving.

An activity never writes where its input says: it writes under its own run's prefix
(``runs/<workflow id>/``), and reads only its run's keys or content-addressed texts.
Child workflows have ids ``<parent id>/<name>``, so they share the parent's run (the
worker checks that such an id really is a child of that parent: activities/run_guard.py).

Workflow ids map to folders injectively, so no id a client chooses can name another
run's folder: an id made only of lower-case letters, digits and ``._-`` (what the CLI
makes) is its own folder name; any other id (upper case, spaces, ``=``, non-ASCII, too
long) becomes a readable part, ``=`` and a hash of the whole id. ``=`` never occurs in
a plain name, so the two kinds never meet, and no two run folders differ only in case (a
directory store on macOS or Windows would merge them).
"""

from __future__ import annotations

import hashlib
import re

from durable_research.store import validate_key
from durable_research.store.errors import StoreError

# Plain ids: their own folder name. 200 characters: every id the CLI accepts.
_PLAIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
_NOT_PLAIN = re.compile(r"[^a-z0-9._-]+")
# 128 bits: no one can make a second id with the hash of another.
_HASH_CHARS = 32
_READABLE_CHARS = 48
# Names of a run's own files, chosen by the activities' code (not by a client).
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")
# Keys anyone may read: content-addressed, so knowing the key means knowing the content.
SHARED_PREFIXES = ("texts/", "collections/")


def id_segment(workflow_id_part: str) -> str:
    """The folder name of one ``/``-separated part of a workflow id (injective)."""
    if _PLAIN_ID.fullmatch(workflow_id_part):
        return workflow_id_part
    digest = hashlib.sha256(workflow_id_part.encode("utf-8", "surrogatepass")).hexdigest()
    readable = _NOT_PLAIN.sub("_", workflow_id_part.lower())[:_READABLE_CHARS].strip("._-")
    return f"{readable or 'x'}={digest[:_HASH_CHARS]}"


def _name_part(text: str) -> str:
    seg = _UNSAFE.sub("_", text)[:120] or "_"
    return seg if seg[0].isalnum() else f"x{seg}"


def run_prefix(workflow_id: str) -> str:
    """``runs/<root id>/``: the folder of a report run and all its child workflows."""
    return f"runs/{id_segment(workflow_id.split('/')[0])}/"


def run_key(workflow_id: str, name: str) -> str:
    """The key for ``name`` (``a/b.json``) in the folder of ``workflow_id``'s run."""
    parts = [id_segment(p) for p in workflow_id.split("/")[1:]]
    parts += [_name_part(p) for p in name.split("/") if p]
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
