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


# A run's report files in the store, under the run id: a new run with a re-used --id
# (same workflow id, same folder) never replaces or attaches an earlier run's report.
REPORT_FOLDER = "report"


def report_name(run_id: str, file_name: str) -> str:
    """The store name (under the run's folder) of one of a run's report files."""
    return f"{REPORT_FOLDER}/{run_id}/{file_name}"


def written_name(run_id: str) -> str:
    """The store name of the record of what a run's ``create_pdf`` wrote (stem, paths)."""
    return report_name(run_id, "written.json")
