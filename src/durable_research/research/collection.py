"""A local-documents collection: ingest files into the artifact store, read its manifest.

A collection is a manifest (names, titles, text hashes) stored content-addressed under
``collections/<sha256>``; the texts are under ``texts/<sha256>``. Workers read only the
store, never the user's files, so a collection made by the client works on any worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from durable_research.contract.keys import collection_key, is_collection_key
from durable_research.errors import StoreError, UserError
from durable_research.research.localfiles import (
    SkippedFile,
    UnreadableFile,
    display_name,
    list_sources,
    read_regular,
)
from durable_research.store import ArtifactStore, content_hash, put_text

MAX_SKIPPED_LISTED = 200
MAX_SKIPPED_IN_ERROR = 3  # the message stays about one line


@dataclass
class CollectionDoc:
    """One document of a collection; ``name`` is for display only, never opened again."""

    name: str
    title: str
    content_hash: str
    chars: int
    # The other documents of the collection this one links to (HTML and Markdown links,
    # :mod:`doclinks`); manifests from before links were read have none.
    links: list[str] = field(default_factory=list)


@dataclass
class Collection:
    """A stored collection: its manifest key, its documents and the files left out (why)."""

    key: str
    docs: list[CollectionDoc] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def ingest_paths(store: ArtifactStore, paths: list[Path], max_files: int = 2000,
                 max_total_bytes: int = 500_000_000,
                 progress: Callable[[int, str], None] | None = None) -> Collection:
    """Extract files and folders (recursively) into the store as one collection.

    Files are listed and read as :mod:`localfiles` says (regular files only, links only
    inside the folder given, bounded non-blocking reads); everything left out is in
    ``skipped`` with its reason. ``progress`` is told each document stored (how many so
    far, its name): a folder of a thousand documents takes a minute.

    Raises:
        UserError: A path does not exist, there are too many files or bytes, or no
            supported document was found at all.
    """
    from durable_research.research.doclinks import raw_links, resolve
    from durable_research.research.extract import (
        MAX_FILE_BYTES,
        SUPPORTED_SUFFIXES,
        ExtractError,
        extract_text,
        mime_for,
    )

    docs: dict[str, CollectionDoc] = {}
    links: dict[str, list[str]] = {}
    skipped: list[str] = []
    seen: set[tuple[int, int]] = set()
    total_files = total_bytes = 0
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise UserError(f"no such file or folder: {display_name(str(given))}",
                            "check the path: a typo, or a folder moved?")
        for entry in list_sources(path):
            if isinstance(entry, SkippedFile):
                skipped.append(f"{entry.name}: {entry.reason}")
                continue
            if entry.ident in seen:  # listed twice, or a file inside a folder also given
                continue
            seen.add(entry.ident)
            name = entry.name
            mime = mime_for(name)
            if mime is None:
                skipped.append(f"{name}: unsupported file type")
                continue
            total_files += 1
            total_bytes += entry.size
            if total_files > max_files or total_bytes > max_total_bytes:
                raise UserError(
                    f"the sources hold more than {max_files} documents or {max_total_bytes:,} "
                    f"bytes (reached at {name} under {display_name(str(given))})",
                    "choose a smaller folder or fewer files")
            try:
                body = read_regular(entry.path, MAX_FILE_BYTES, entry.ident)
                extracted = extract_text(body, mime, url=name)
            except (UnreadableFile, ExtractError) as exc:
                skipped.append(f"{name}: {exc}")
                continue
            if name in docs:  # the same relative name under two given folders
                folder = path if path.is_dir() else path.parent
                base = f"{display_name(folder.resolve().name)}/{name}"
                name, count = base, 1
                while name in docs:
                    count += 1
                    name = f"{base} ({count})"
            links[name] = raw_links(body, mime)
            digest = put_text(store, extracted.text)
            docs[name] = CollectionDoc(name=name, title=extracted.title or name,
                                       content_hash=digest, chars=len(extracted.text))
            if progress is not None:
                progress(len(docs), name)
    if not docs:
        raise _nothing_readable(skipped, " ".join(SUPPORTED_SUFFIXES))
    if len(skipped) > MAX_SKIPPED_LISTED:
        skipped = skipped[:MAX_SKIPPED_LISTED] + [
            f"... and {len(skipped) - MAX_SKIPPED_LISTED} more"]
    for name, targets in resolve(links, docs).items():
        docs[name].links = targets
    ordered = [docs[name] for name in sorted(docs)]
    manifest = {"version": 1, "docs": [asdict(d) for d in ordered], "skipped": skipped}
    data = json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode("utf-8")
    key = collection_key(content_hash(data))
    if not store.exists(key):
        store.put(key, data)
    return Collection(key=key, docs=ordered, skipped=skipped)


def _nothing_readable(skipped: list[str], supported: str) -> UserError:
    """The refusal of sources without one document, naming what was left out and why.

    Without the reasons a folder of damaged files read as "no readable document" only,
    while the same files next to one good document were each listed with their reason.
    """
    message = "no readable document found in the given sources"
    if skipped:
        shown = "; ".join(skipped[:MAX_SKIPPED_IN_ERROR])
        more = len(skipped) - MAX_SKIPPED_IN_ERROR
        message += f" (skipped {shown}{f'; and {more} more' if more > 0 else ''})"
    return UserError(message, f"supported file types: {supported}")


def load_collection(store: ArtifactStore, key: str) -> list[CollectionDoc]:
    """The documents of the collection stored under ``key``.

    Raises:
        ArtifactMissingError: No such collection in this store.
        StoreError: The key is not a collection or the manifest is damaged.
    """
    if not is_collection_key(key):
        raise StoreError(f"not a collection key: {key[:80]!r}")
    try:
        manifest = json.loads(store.get(key))
        return [CollectionDoc(**doc) for doc in manifest["docs"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"damaged collection manifest {key!r}: {exc}") from exc
