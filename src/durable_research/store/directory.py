"""The directory backend: one file per key under a root folder (local or a shared mount)."""

from __future__ import annotations

import threading
from pathlib import Path

from durable_research.contract.keys import validate_key
from durable_research.private import FILE_MODE, private_dir, write_atomic
from durable_research.store.errors import ArtifactMissingError, StoreUnavailableError

# Folders a store remembers as made private (the most recent ones): a quick report writes
# into ~6 new folders, a deep one into a few dozen, so this covers every report in flight.
READY_FOLDERS = 1024


class DirectoryStore:
    """Objects as files under ``root``; writes go through a temp file and ``os.replace``."""

    def __init__(self, root: Path) -> None:
        """Use ``root`` (created on first write) as the store's folder."""
        self.root = Path(root).expanduser().resolve()
        # Folders this store made private in this process. A write into one goes straight
        # to the file: walking the folders from the root again (a mkdir and a stat for each
        # of 3-5) was a tenth of a small write's CPU with its fsync, and a quick report
        # makes six writes (issue 26, goal 6). The first write of the process into a
        # folder still tightens what an older version left loose.
        self._ready: dict[Path, None] = {}
        self._lock = threading.Lock()  # writes come from the I/O pool's threads

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _make_ready(self, folder: Path) -> None:
        """Create ``folder`` and make it and the folders above it (to the root) private."""
        # A shared mount may belong to a service user: its own permissions protect it.
        private_dir(folder, root=self.root, shared_ok=True)
        with self._lock:
            self._ready[folder] = None
            if len(self._ready) > READY_FOLDERS:
                del self._ready[next(iter(self._ready))]

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` atomically: a reader never sees a half-written object."""
        path = self._path(key)
        try:
            if path.parent not in self._ready:
                self._make_ready(path.parent)
            try:
                # Private like the rest of the data dir: page texts, notes, reports.
                write_atomic(path, data, FILE_MODE)
            except FileNotFoundError:
                # The folder was removed since it was made (by hand, a clean-up): again.
                self._make_ready(path.parent)
                write_atomic(path, data, FILE_MODE)
        except PermissionError as exc:
            raise StoreUnavailableError(f"cannot write to the store {self.root}: {exc}") from exc

    def get(self, key: str) -> bytes:
        """Read the object under ``key``."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ArtifactMissingError(f"no object {key!r} in {self.root}") from None

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""
        return self._path(key).is_file()

    def describe(self) -> str:
        """The folder."""
        return str(self.root)
