"""Safe file names, collision-free suffixes and atomic writes for report files."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from durable_research.private import write_atomic

MAX_BASENAME = 100
_FALLBACK = "report"
# Characters that are separators or reserved on common filesystems.
_UNSAFE = re.compile(r'[\\/:*?"<>|]+')


def safe_basename(name: str) -> str:
    """Turn an arbitrary string into a file base name that stays inside its folder.

    Path separators, ``..``, control characters, reserved characters and leading
    dots are removed and the length is limited; an empty result becomes "report".

    Args:
        name: Untrusted name, e.g. derived from a workflow id.

    Returns:
        A non-empty base name without extension or directory parts.
    """
    cleaned = "".join(
        ch for ch in name if not unicodedata.category(ch).startswith("C")
    )
    cleaned = _UNSAFE.sub("-", cleaned)
    cleaned = cleaned.replace("..", "-")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = cleaned.lstrip(".-_ ")
    cleaned = cleaned[:MAX_BASENAME].rstrip(". ")
    return cleaned or _FALLBACK


def choose_stem(out_dir: Path, basename: str, exts: Sequence[str], overwrite: bool) -> str:
    """Return ``basename`` or ``basename-N`` and claim its files for this call.

    The files of every format are created empty with ``O_EXCL``, so two writers at the
    same time can never pick the same name; the caller then replaces them atomically.
    One suffix is shared by all formats of a call so the files stay recognisable as a set.
    """
    if overwrite:
        return basename
    n = 1
    while True:
        stem = basename if n == 1 else f"{basename}-{n}"
        claimed: list[Path] = []
        try:
            for ext in exts:
                path = out_dir / f"{stem}.{ext}"
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                claimed.append(path)
            return stem
        except FileExistsError:
            for path in claimed:
                path.unlink(missing_ok=True)
        n += 1


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``.

    Readers therefore never see a half-written report, even if the worker dies mid-write.
    """
    write_atomic(path, data, 0o644)
