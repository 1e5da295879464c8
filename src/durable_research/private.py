"""Private local state: directories only we can enter (0700), files only we can read (0600).

The data directory holds the Temporal SQLite file (every workflow's inputs and
results), logs, the payload key, pid files and the sent-mail ledger. Other users of
the machine must not read any of it, whatever the umask. These helpers create
things private from the start (no window in which a file is world-readable) and
tighten what an older version left behind, but only paths we own: a shared folder
such as ``/tmp`` (sticky bit) or another user's directory is never chmod-ed. Nor is
it used: private state in a folder someone else owns or may write (they could have
put a key, a pid file or a symlink there first) is refused with a message.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO

from durable_research.errors import ConfigError

DIR_MODE = 0o700
FILE_MODE = 0o600
# Permission bits that let others change a file or a folder's entries.
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


def check_not_shared(path: Path, what: str) -> None:
    """Refuse ``path`` if someone but us (or root) owns it or may write it.

    A key, a config file or a folder of private state that another user could have
    written is not ours to trust, even if we could fix its mode now.

    Args:
        path: A file or folder; a missing one is fine (it will be created private).
        what: How the message names it ("The config file").

    Raises:
        ConfigError: Naming the path and who else can change it.
    """
    try:
        st = Path(path).stat()
    except OSError:
        return  # missing or unreadable: creating or reading it reports the problem
    if st.st_uid not in (os.geteuid(), 0):
        raise ConfigError(
            f"{what} {path} belongs to another user (uid {st.st_uid}): refusing to trust it",
            "use a file or folder of your own (RESEARCH_DATA_DIR, RESEARCH_PAYLOAD_KEY_FILE, "
            "RESEARCH_CONFIG_FILE)",
        )
    if st.st_mode & _OTHERS_WRITE:
        who = "everyone" if st.st_mode & stat.S_IWOTH else "its group"
        raise ConfigError(
            f"{what} {path} is writable by {who}: refusing to trust it",
            f"check that nobody changed it, then: chmod go-w {path}",
        )


def _tighten(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` if we own it and it is looser; never sticky dirs."""
    try:
        st = path.stat()
    except OSError:
        return
    if st.st_uid != os.geteuid() or st.st_mode & stat.S_ISVTX:
        return
    if stat.S_IMODE(st.st_mode) & ~mode:
        with contextlib.suppress(OSError):
            path.chmod(mode)


def private_dir(path: Path, *, root: Path | None = None, shared_ok: bool = False) -> Path:
    """Create ``path`` (with parents) and make it 0700.

    Args:
        path: The directory.
        root: An ancestor of ``path`` (e.g. the data dir); every directory from
            ``root`` down to ``path`` is made 0700 too. Parents above ``root`` are
            created with the usual permissions and left alone.
        shared_ok: Use folders others own or may write (only made 0700 if ours):
            for a store on a shared mount, which its own permissions protect.

    Returns:
        ``path``.

    Raises:
        ConfigError: Unless ``shared_ok``, a folder of the chain belongs to another
            user or is writable by others (see :func:`check_not_shared`).
    """
    path = Path(path)
    chain = [path]
    if root is not None:
        root = Path(root)
        chain = [path, *[p for p in path.parents if p == root or root in p.parents]]
    for directory in reversed(chain):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        except FileNotFoundError:
            directory.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                directory.mkdir(mode=DIR_MODE)
        if not shared_ok:
            check_not_shared(directory, "The private folder")
        # mkdir's mode is masked by the umask; an existing directory may be looser.
        _tighten(directory, DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600 (if we own it); a missing one is ignored."""
    _tighten(Path(path), FILE_MODE)


def open_private(path: Path, mode: str = "ab") -> IO[bytes]:
    """Open ``path`` for appending/writing bytes, created 0600 (an existing one tightened).

    For logs and lock files. ``mode`` is ``"ab"`` (append) or ``"wb"`` (truncate).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        with contextlib.suppress(OSError):
            if os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, data: bytes | str, *, root: Path | None = None) -> None:
    """Atomically write ``path`` with mode 0600; its folder is made 0700.

    A temporary file in the same folder is written and renamed over ``path``, so a
    crash never leaves a half-written file and no reader ever sees a looser mode.

    Args:
        path: The file.
        data: Its new content (``str`` is written as UTF-8).
        root: Passed to :func:`private_dir` for the parent folder (e.g. the data dir,
            so the folders between it and the file are private too).
    """
    path = Path(path)
    private_dir(path.parent, root=root)
    write_atomic(path, data, FILE_MODE)


def create_private_exclusive(path: Path, data: bytes | str) -> bool:
    """Create ``path`` (0600) with ``data`` only if it does not exist yet; atomic.

    Two processes racing to create the same file (e.g. the payload key) both end up
    reading the winner's complete content: the file appears (``os.link``) only once
    fully written.

    Returns:
        True if this call created it, False if it already existed.
    """
    path = Path(path)
    tmp = _write_temp(path, data, FILE_MODE)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _write_temp(path: Path, data: bytes | str, mode: int) -> Path:
    """A fully written, fsynced temporary file beside ``path``, created with ``mode``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Replace ``path`` atomically: readers see the old or the new content, never half.

    The file is created with ``mode`` (not widened afterwards), so a private file is
    never readable by others, even for an instant.
    """
    tmp = _write_temp(Path(path), data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
