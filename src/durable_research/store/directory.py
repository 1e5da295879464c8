"""The directory backend: one file per key under a root folder (local or a shared mount)."""

from __future__ import annotations

from pathlib import Path

from durable_research.contract.keys import validate_key
from durable_research.private import FILE_MODE, private_dir, write_atomic
from durable_research.store.errors import ArtifactMissingError, StoreUnavailableError


class DirectoryStore:
    """Objects as files under ``root``; writes go through a temp file and ``os.replace``."""

    def __init__(self, root: Path) -> None:
        """Use ``root`` (created on first write) as the store's folder."""
        self.root = Path(root).expanduser().resolve()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        """Write ``data`` atomically: a reader never sees a half-written object."""
        path = self._path(key)
        try:
            # A shared mount may belong to a service user: its own permissions protect it.
            private_dir(path.parent, root=self.root, shared_ok=True)
            # Private like the rest of the data dir: page texts, notes, reports.
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
