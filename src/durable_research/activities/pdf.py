"""The ``create_pdf`` activity: lay the report out as PDF (and optionally MD/HTML).

The activity returns paths only; PDF bytes never enter the workflow history.
"""

from __future__ import annotations

import errno
from dataclasses import replace
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.paths import confined_dir
from durable_research.activities.procpool import in_process
from durable_research.activities.storage import WithStore
from durable_research.contract.keys import report_name, written_name
from durable_research.contract.report import CreatePdfInput, CreatePdfOutput
from durable_research.errors import OUTPUT_DISK_FULL, FailureType
from durable_research.layout.fonts import FontNotFoundError
from durable_research.store import ArtifactStore


class PdfActivities(WithStore):
    """Writes report files into the configured output directory."""

    @activity.defn(name="create_pdf")
    async def create_pdf(self, params: CreatePdfInput) -> CreatePdfOutput:
        """Render the report and return the written paths (PDF first)."""
        # Here: procwork loads the parsers of the pool's other steps, which a worker's
        # start does without.
        from durable_research.activities.procwork import render_report

        out_dir = confined_dir(self.settings.output_path, params.output_dir)
        # A retry rewrites the files its own run's earlier attempt claimed, and nobody
        # else's: not those of an earlier run with the same workflow id (a re-used --id).
        run = activity.info().workflow_run_id or ""
        written_key = self.my_key(written_name(run))
        basename, overwrite = params.basename or "report", params.overwrite
        if activity.info().attempt > 1:
            earlier = await self.load_json(written_key)
            if isinstance(earlier, dict) and earlier.get("stem"):
                basename, overwrite = str(earlier["stem"]), True
        content = params.content
        if content.body_key:  # a research report: the body is in the artifact store
            content = replace(content, body_markdown=await self.read_text(content.body_key))
        try:
            # CPU-bound: in the worker's process pool (off the event loop's GIL), heartbeating
            # while it waits.
            paths = await with_heartbeats(
                in_process(
                    render_report,
                    content,
                    out_dir,
                    basename,
                    params.formats,
                    overwrite,
                ),
                detail="rendering",
            )
        except ValueError as exc:
            raise ApplicationError(str(exc),
                                   type=FailureType.BAD_REPORT_REQUEST, non_retryable=True) from exc
        except FontNotFoundError as exc:
            raise ApplicationError(str(exc),
                                   type=FailureType.FONT_NOT_FOUND, non_retryable=True) from exc
        except OSError as exc:
            refused = file_error(exc, out_dir)
            if refused is not None:
                raise refused from None  # the child's traceback is no part of the line
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            # The workflow waits and schedules the step again (steps.run_step): retrying
            # seconds later would only use up the attempts.
            raise ApplicationError(
                f"The output disk is full ({out_dir}): {exc.strerror}",
                type=OUTPUT_DISK_FULL,
                non_retryable=True,
            ) from exc
        await self.save_json(written_key, {"stem": paths[0].stem,
                                           "paths": [str(p) for p in paths]})
        # Into the store too, under this run's keys, so a mailer on another machine and
        # `research result --download` anywhere can get them.
        keys = [self.my_key(report_name(run, path.name)) for path in paths]
        # Read in the I/O pool, all in one trip: a file read in the event loop waits for
        # the disk while every other report's steps and heartbeats wait for the loop.
        await self.in_store(_store_files, self.store, list(zip(keys, paths, strict=True)))
        pdf = next((str(p) for p in paths if p.suffix == ".pdf"), "")
        return CreatePdfOutput(pdf_path=pdf, paths=[str(p) for p in paths], keys=keys,
                               store=self.store.describe())


# The output folder or a report file cannot be written, and no retry changes that: the
# folder was made read-only, or replaced by a file, after the report started (the client
# refuses an unwritable one up front).
_NOT_WRITABLE = (PermissionError, FileExistsError, NotADirectoryError, IsADirectoryError)


def file_error(exc: OSError, out_dir: Path) -> ApplicationError | None:
    """``exc`` of writing the report as one non-retryable line naming the path (as it
    comes back from the process pool too: pickled, the child's traceback its cause);
    None for an error a retry may fix."""
    if not isinstance(exc, _NOT_WRITABLE) and exc.errno != errno.EROFS:
        return None
    why = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError):
        why += " (it is not a folder)"  # mkdir's exist_ok: only a file in its place
    return ApplicationError(f"Cannot write the report to {exc.filename or out_dir}: {why}",
                            type=FailureType.OUTPUT_NOT_WRITABLE, non_retryable=True)


def _store_files(store: ArtifactStore, files: list[tuple[str, Path]]) -> None:
    """Put each written file into the store under its key (blocking: run in the pool)."""
    for key, path in files:
        store.put(key, path.read_bytes())
