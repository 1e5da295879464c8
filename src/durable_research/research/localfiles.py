"""List and read the files of ``--sources`` without trusting the folder.

A folder given to ``--sources`` may hold anything (issue 25): a link ``notes.txt ->
~/.ssh/id_rsa`` put the key into an LLM prompt, a link to ``/dev/zero`` was read until
memory ran out, a FIFO blocked the ingest for good, a name that is not UTF-8 ended in a
traceback. So:

- only regular files are read; FIFOs, devices and sockets are listed as skipped;
- a symbolic link inside a folder is followed only when it resolves inside that folder,
  and links to folders are never followed (their files are read where they really are);
  a path named on the command line is the user's own choice and is followed;
- every open is non-blocking, refuses a link (``O_NOFOLLOW``) and checks with ``fstat``
  that it got the very regular file that was listed (a file swapped for a link or a FIFO
  between listing and reading is refused); reads stop at a size limit;
- names are decoded for display with U+FFFD for undecodable bytes and control characters.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

OUTSIDE = "link leads outside the folder"
FOLDER_LINK = "link to a folder (not followed)"
BROKEN_LINK = "broken link"
# C0 and C1 controls, and the bidi controls that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_KINDS = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
          (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder"))
_OPEN_FLAGS = (os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
_CHUNK = 1 << 20


class UnreadableFile(Exception):  # noqa: N818 - a skip reason, caught where raised
    """A file that is not read: not regular, too large, changed, or an OS error."""


@dataclass(frozen=True)
class SourceFile:
    """A regular file to read: its display name, where it is, and its identity when listed."""

    name: str
    path: Path
    ident: tuple[int, int]  # (st_dev, st_ino): what the open must find
    size: int


@dataclass(frozen=True)
class SkippedFile:
    """An entry that is not read, and why."""

    name: str
    reason: str


def display_name(raw: str) -> str:
    """``raw`` (a name from the file system) as printable text: undecodable bytes and
    control characters become U+FFFD."""
    decoded = os.fsencode(raw).decode("utf-8", "replace")
    return _UNPRINTABLE.sub("\ufffd", decoded)


def not_regular(mode: int) -> str:
    """The reason a file of this mode is not read ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    kind = next((name for test, name in _KINDS if test(mode)), "special file")
    return f"not a regular file ({kind})"


def list_sources(given: Path) -> Iterator[SourceFile | SkippedFile]:
    """The files under ``given`` (a file, or a folder walked recursively, hidden entries
    left out), in a stable order, each either to read or skipped with its reason."""
    try:
        real = given.resolve(strict=True)
        info = real.stat()
    except OSError as exc:
        yield SkippedFile(display_name(given.name), _os_reason(exc))
        return
    if not stat.S_ISDIR(info.st_mode):
        yield _checked(display_name(given.name), real, info)
        return
    errors: list[OSError] = []
    for root, dirs, files in os.walk(str(real), onerror=errors.append):
        while errors:
            failed = errors.pop()
            yield SkippedFile(_relative(failed.filename or root, real), _os_reason(failed))
        # Hidden folders (.git, .venv) hold no documents meant for a report.
        visible = sorted(d for d in dirs if not d.startswith("."))
        dirs[:] = [d for d in visible if not os.path.islink(os.path.join(root, d))]
        for name in visible:
            if name not in dirs:
                yield SkippedFile(_relative(os.path.join(root, name), real), FOLDER_LINK)
        for name in sorted(f for f in files if not f.startswith(".")):
            yield _entry(Path(root, name), real)
    while errors:  # the top folder itself could not be listed
        failed = errors.pop()
        yield SkippedFile(_relative(failed.filename or str(real), real), _os_reason(failed))


def _entry(file: Path, top: Path) -> SourceFile | SkippedFile:
    name = _relative(str(file), top)
    try:
        info = file.lstat()
        if stat.S_ISLNK(info.st_mode):
            target = Path(os.path.realpath(file))
            if not target.is_relative_to(top):
                return SkippedFile(name, OUTSIDE)
            try:
                info = target.stat()
            except FileNotFoundError:
                return SkippedFile(name, BROKEN_LINK)
            if stat.S_ISDIR(info.st_mode):
                return SkippedFile(name, FOLDER_LINK)
            file = target
    except OSError as exc:
        return SkippedFile(name, _os_reason(exc))
    return _checked(name, file, info)


def _checked(name: str, path: Path, info: os.stat_result) -> SourceFile | SkippedFile:
    reason = not_regular(info.st_mode)
    if reason:
        return SkippedFile(name, reason)
    return SourceFile(name, path, (info.st_dev, info.st_ino), info.st_size)


def _relative(path: str, top: Path) -> str:
    return display_name(Path(os.path.relpath(path, top)).as_posix())


def _os_reason(exc: OSError) -> str:
    return f"cannot read ({exc.strerror or exc})"


def read_regular(path: Path, max_bytes: int, ident: tuple[int, int] | None = None) -> bytes:
    """The bytes of the regular file ``path``: at most ``max_bytes``, or an error.

    Opened without following a final link and without blocking (a FIFO or device opens
    at once and is refused by ``fstat`` before a byte is read); ``ident`` (device, inode)
    must match when given, so the file read is the file that was listed.

    Raises:
        UnreadableFile: A link, not a regular file, another file than listed, too
            large, or an OS error.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile("is a symbolic link (not followed)") from exc
        raise UnreadableFile(_os_reason(exc)) from exc
    try:
        info = os.fstat(fd)
        reason = not_regular(info.st_mode)
        if reason:
            raise UnreadableFile(reason)
        if ident is not None and (info.st_dev, info.st_ino) != ident:
            raise UnreadableFile("changed while being read")
        if info.st_size > max_bytes:
            raise UnreadableFile(f"too large ({info.st_size:,} bytes > {max_bytes:,})")
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(_CHUNK, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:  # grew since fstat
                raise UnreadableFile(f"too large (more than {max_bytes:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(_os_reason(exc)) from exc
    finally:
        os.close(fd)
