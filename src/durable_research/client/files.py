"""A finished report's files in the artifact store, by format (downloads from any machine)."""

from __future__ import annotations

from dataclasses import dataclass

from durable_research.config import Settings
from durable_research.contract.keys import run_prefix
from durable_research.contract.report import KNOWN_FORMATS, ReportResult
from durable_research.errors import UserError


@dataclass(frozen=True)
class StoredFile:
    """One report file read from the artifact store."""

    fmt: str
    name: str
    data: bytes


def report_file_keys(workflow_id: str, result: ReportResult) -> dict[str, str]:
    """The formats a finished report has in the store, with their keys (PDF first).

    Only keys the workflow reported, and only those under its own run's prefix: a
    result can never point a reader at another run's files.
    """
    prefix = run_prefix(workflow_id)
    found: dict[str, str] = {}
    for key in result.keys:
        fmt = key.rpartition(".")[2].lower()
        if fmt in KNOWN_FORMATS and fmt not in found and key.startswith(prefix):
            found[fmt] = key
    return {fmt: found[fmt] for fmt in KNOWN_FORMATS if fmt in found}


def read_report_file(settings: Settings, workflow_id: str, result: ReportResult,
                     fmt: str) -> StoredFile:
    """Read a finished report's file of format ``fmt`` from the artifact store.

    Blocking (a file or S3 read): async callers run it in a thread.

    Raises:
        UserError: The report has no such file, or the store cannot be read.
    """
    from durable_research.errors import StoreError
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    key = report_file_keys(workflow_id, result).get(fmt)
    if key is None:
        raise UserError(f"This report has no {fmt} file in the artifact store",
                        "choose that format when starting a report")
    store = open_store(settings)
    try:
        data = store.get(key)
    except (StoreError, StoreUnavailableError) as exc:
        raise UserError(f"Cannot read {key} from {store.describe()}: {exc}",
                        "check RESEARCH_STORE (and the S3 settings) on this machine") from None
    return StoredFile(fmt=fmt, name=key.rsplit("/", 1)[-1], data=data)
