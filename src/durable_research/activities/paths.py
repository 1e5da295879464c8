"""Where a worker may write: only under its own output root, whatever an input asks."""

from __future__ import annotations

from pathlib import Path

from temporalio.exceptions import ApplicationError

from durable_research.errors import FailureType


def confined_dir(root: Path, requested: str) -> Path:
    """The folder for ``requested`` (relative, or absolute inside ``root``) under ``root``.

    Raises:
        ApplicationError: Non-retryable ``OutsideOutputRoot`` for a path that leaves
            the root (absolute elsewhere, ``..``, a symlink pointing out).
    """
    root = root.expanduser().resolve()
    if not requested:
        return root
    wanted = Path(requested).expanduser()
    target = (wanted if wanted.is_absolute() else root / wanted).resolve()
    if target != root and root not in target.parents:
        raise ApplicationError(
            f"Refused to write the report to {requested!r}: this worker writes only under "
            f"its output root {root} (RESEARCH_OUTPUT_DIR); name a sub-folder instead",
            type=FailureType.OUTSIDE_OUTPUT_ROOT,
            non_retryable=True,
        )
    return target
