"""A real round trip through the artifact store, for ``research doctor``.

Opening a store does no I/O, so a wrong bucket, refused credentials or a read-only
folder would otherwise show up only in the middle of a report run.
"""

from __future__ import annotations

import secrets
import time

from durable_research.contract.keys import PROBE_FOLDER, probe_key
from durable_research.errors import StoreError
from durable_research.store import ArtifactStore
from durable_research.store.directory import DirectoryStore
from durable_research.store.errors import StoreUnavailableError


def check_store(store: ArtifactStore) -> str:
    """Write, read back and remove a small probe object; describe the result in one line.

    Returns:
        E.g. ``/data/store: wrote and read back a probe in 0.01 s, removed it``.

    Raises:
        StoreUnavailableError: The store did not answer (retrying later may work).
        StoreError: The store refused (missing bucket, refused credentials, a folder
            that cannot be written) or returned different bytes.
    """
    key = probe_key(secrets.token_hex(8))
    data = f"durable-research store probe {key}\n".encode()
    started = time.monotonic()
    try:
        store.put(key, data)
        back = store.get(key)
    except (StoreError, StoreUnavailableError):
        raise
    except OSError as exc:
        # DirectoryStore lets most file-system errors through (read-only, not a folder).
        raise StoreError(f"cannot use the store folder {store.describe()}: {exc}") from exc
    if back != data:
        raise StoreError(
            f"the store {store.describe()} returned different bytes than were written "
            f"({len(back)} instead of {len(data)} bytes)"
        )
    elapsed = time.monotonic() - started
    cleanup = _remove(store, key)
    return f"{store.describe()}: wrote and read back a probe in {elapsed:.2f} s{cleanup}"


def _remove(store: ArtifactStore, key: str) -> str:
    """Delete the probe where the backend allows it; return a note for the summary line."""
    if isinstance(store, DirectoryStore):
        path = store.root / PROBE_FOLDER / key.split("/")[-1]
        try:
            path.unlink(missing_ok=True)
            path.parent.rmdir()  # only when empty: another doctor may be running
        except OSError:
            pass
        return ", removed it"
    delete = getattr(store, "delete", None)
    if delete is None:
        return f" (probe {key} left in place: this store cannot delete)"
    try:
        delete(key)
    except (StoreError, StoreUnavailableError) as exc:
        # Put and get work, which is what reports need; a missing delete right is fine.
        return f" (could not remove probe {key}: {exc})"
    return ", removed it"
