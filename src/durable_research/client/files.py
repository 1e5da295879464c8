"""A finished report's files in the artifact store, by format (downloads from any machine)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from durable_research.config import Settings
from durable_research.contract.keys import run_key, run_prefix
from durable_research.contract.report import KNOWN_FORMATS, ReportResult
from durable_research.errors import ReportFileMissingError, UserError

# The media type of each report format (downloads, MCP resources).
MEDIA_TYPES: dict[str, str] = dict(zip(
    KNOWN_FORMATS, ("application/pdf", "text/markdown; charset=utf-8",
                    "text/html; charset=utf-8",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    strict=True))


def is_text_format(fmt: str) -> bool:
    """Whether a report format's file is text (Markdown, HTML) rather than bytes (PDF, Word)."""
    return MEDIA_TYPES[fmt].startswith("text/")


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


def file_name(key: str, result: ReportResult) -> str:
    """The name of a report's stored file: the one the worker gave it (a question in any
    script) when ``key`` is that name's, else the key's own (keys are ASCII: a Hindi
    question's report is ``x____-<id>.pdf`` there)."""
    stored = key.rsplit("/", 1)[-1]
    for path in result.paths:
        own = PurePosixPath(path).name
        # The key's last part is the worker's name made safe (whatever the workflow id).
        if own and own.isprintable() and not own.startswith(".") \
                and run_key("report-x", own).rsplit("/", 1)[-1] == stored:
            return own
    return stored


def report_file_key(workflow_id: str, result: ReportResult | None, fmt: str) -> str:
    """The store key of a finished report's file of format ``fmt``.

    Raises:
        ReportFileMissingError: No result yet, or no file of that format.
    """
    key = report_file_keys(workflow_id, result).get(fmt) if result is not None else None
    if key is None:
        raise ReportFileMissingError(
            f"This report has no {fmt[:10]} file (yet)",
            "its status lists the files it has; choose the format when starting a report")
    return key


def read_report_file(settings: Settings, workflow_id: str, result: ReportResult | None,
                     fmt: str) -> StoredFile:
    """Read a finished report's file of format ``fmt`` from the artifact store.

    Only a key :func:`report_file_keys` lists is read, chosen by format: what a caller
    asks for can never name another path. Blocking (a file or S3 read): async callers
    run it in a thread.

    Raises:
        ReportFileMissingError: No result yet, or no file of that format.
        UserError: The store cannot be read.
    """
    from durable_research.errors import StoreError
    from durable_research.store.errors import StoreUnavailableError
    from durable_research.store.factory import open_store

    key = report_file_key(workflow_id, result, fmt)
    store = open_store(settings)
    try:
        data = store.get(key)
    except (StoreError, StoreUnavailableError) as exc:
        raise UserError(f"Cannot read {key} from {store.describe()}: {exc}",
                        "check RESEARCH_STORE (and the S3 settings) on this machine") from None
    name = file_name(key, result) if result else key.rsplit("/", 1)[-1]
    return StoredFile(fmt=fmt, name=name, data=data)
