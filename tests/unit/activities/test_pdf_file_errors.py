"""``create_pdf``'s file errors as they come back from the process pool (pickled, with the
child's traceback as their cause) become one non-retryable line naming the path."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.pdf import file_error
from durable_research.errors import FailureType

OUT = Path("/srv/reports/mine")


def _from_child(exc: OSError) -> OSError:
    back: OSError = pickle.loads(pickle.dumps(exc))
    back.__cause__ = RuntimeError('\n"""\nTraceback (most recent call last):\n  ...\n"""')
    return back


@pytest.mark.parametrize(("exc", "line"), [
    (PermissionError(13, "Permission denied", str(OUT / "rep.pdf")),
     f"Cannot write the report to {OUT / 'rep.pdf'}: Permission denied"),
    (FileExistsError(17, "File exists", str(OUT)),
     f"Cannot write the report to {OUT}: File exists (it is not a folder)"),
    (NotADirectoryError(20, "Not a directory", str(OUT / "rep.pdf")),
     f"Cannot write the report to {OUT / 'rep.pdf'}: Not a directory"),
    (PermissionError("no name"), f"Cannot write the report to {OUT}: no name"),
])
def test_one_non_retryable_line_naming_the_path(exc: OSError, line: str) -> None:
    err = file_error(_from_child(exc), OUT)
    assert isinstance(err, ApplicationError)
    assert err.non_retryable and err.type == FailureType.OUTPUT_NOT_WRITABLE
    assert err.message == line


def test_other_os_errors_are_left_to_the_retries() -> None:
    assert file_error(_from_child(ConnectionResetError(104, "reset")), OUT) is None
