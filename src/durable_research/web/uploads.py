"""Uploaded documents -> a searchable collection in the artifact store (via the client)."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from fastapi import UploadFile

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.errors import UserError

MAX_FILES = 50
# Characters kept in an uploaded file's name (it names the source in the report).
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def upload_name(raw: str, taken: set[str]) -> str:
    """A safe, unique base name for an upload: never a path, never hidden, never reused."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")[:120] or "document"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{n}-{base}"
    taken.add(name)
    return name


def chosen(files: list[UploadFile]) -> list[UploadFile]:
    """The uploads that are files (an empty file input still sends one nameless part)."""
    return [f for f in files if f.filename]


async def ingest_uploads(settings: Settings, files: list[UploadFile]) -> cr.PreparedSources:
    """Store the uploaded documents as one collection, as ``--sources`` does with paths.

    The files only pass through a private temporary folder; the worker reads the
    collection from the store.

    Raises:
        UserError: Too many files, or none readable (the extractor says why).
    """
    if not files:
        return cr.PreparedSources()
    if len(files) > MAX_FILES:
        raise UserError(f"{len(files)} documents were uploaded; the limit is {MAX_FILES}",
                        "upload the most relevant ones")
    with tempfile.TemporaryDirectory(prefix="research-upload-") as tmp:
        taken: set[str] = set()
        for upload in files:
            path = Path(tmp) / upload_name(upload.filename or "", taken)
            path.write_bytes(await upload.read())
        return await asyncio.to_thread(cr.ingest_sources, settings, [tmp])
