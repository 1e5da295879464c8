"""What a child of the worker's process pool (:mod:`procpool`) runs: its warm-up, and the
CPU-bound steps the activities send it.

The fork server imports this module once; each child runs :func:`warm_child` when it
starts, so a report's first render, extraction or comparison does not pay for loading
the fonts and parsers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import wait
from pathlib import Path

from durable_research.contract.report import ReportContent
from durable_research.layout import write_report
from durable_research.research.citations import CitedSentence
from durable_research.research.crosscheck import (
    Assessment,
    JudgeReads,
    NoteConflict,
    assess,
    note_conflicts,
)
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.extract import Extracted, extract_text
from durable_research.research.fetch_policy import Fetched
from durable_research.research.links import page_links

__all__ = ["NoteConflict", "assess_claims", "compare_notes", "read_page", "render_report",
           "warm_child", "write_report"]

_WARM_PAGE = (b"<html><head><title>Warm-up</title></head><body><article><p>The warm-up page "
              b"of a worker's child process says that the fonts and parsers load once. "
              b'<a href="https://example.org/next">More</a></p></article></body></html>')


# Whether this process is a child of the pool (:func:`warm_child` ran): only there is the
# collector paused for a render, as nothing else runs in it meanwhile.
_IN_CHILD = False


def render_report(content: ReportContent, out_dir: Path, basename: str,
                  formats: Sequence[str], overwrite: bool) -> list[Path]:
    """:func:`layout.write_report`; in a child, with the garbage collector paused: a deep
    report's render ran ~100 collections over the story reportlab holds (8 % of its CPU,
    0.53 against 0.58 s, on the report's critical path). What it leaves in cycles is
    collected in the child's next call."""
    if not _IN_CHILD or not gc.isenabled():
        return write_report(content, out_dir, basename, formats, overwrite)
    gc.disable()
    try:
        return write_report(content, out_dir, basename, formats, overwrite)
    finally:
        gc.enable()


def read_page(page: Fetched) -> tuple[Extracted, list[str] | None]:
    """A fetched page's text and, for HTML, its links (None otherwise)."""
    extracted = extract_text(page.body, page.content_type, page.final_url, page.charset)
    return extracted, page_links(page.body, page.final_url) if "html" in page.content_type \
        else None


def compare_notes(notes: list[tuple[str, str]], focus: set[str] | None) -> list[NoteConflict]:
    """Where the notes' sources contradict each other (:func:`crosscheck.note_conflicts`)."""
    return note_conflicts(notes, focus)


def assess_claims(sources: list[Evidence], pool: EvidencePool | None,
                  sentences: list[CitedSentence], use_judge: bool, reads: JudgeReads
                  ) -> tuple[EvidencePool | None, list[Assessment]]:
    """The citation check's rules on ``sentences`` (:func:`crosscheck.assess`), against
    ``pool`` or, without one, an index of ``sources`` built here and returned with them
    (the pool that came in is not sent back: the caller has it)."""
    index = EvidencePool(sources) if pool is None else pool
    by_n = {s.n: s for s in index.sources.values() if s.n}
    found = [assess(s, by_n, index, use_judge, reads) for s in sentences]
    return (index if pool is None else None), found


def _exit_with(sentinel: int) -> None:
    wait([sentinel])  # ready when the worker is gone, however it ended
    os._exit(0)


def warm_child() -> None:
    """A child's start: end with the worker, leave Ctrl+C to it (it stops its calls
    gracefully), then make a first render, extraction and comparison, and keep what they
    loaded out of the collector's full passes.

    A child holds both ends of its call queue, so a worker killed with SIGKILL (a crash,
    the supervisor's last resort) would leave it waiting for calls for ever: it watches
    the worker's end of its start-up pipe instead, which closes when the worker dies.
    """
    import tempfile

    from durable_research.contract.report import ReportContent
    from durable_research.heap import freeze_startup_heap

    global _IN_CHILD
    _IN_CHILD = True
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True,
                         name="dr-parent-watch").start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            content = ReportContent(question="warm-up", body_markdown="Warm-up.", model="-",
                                    date="2000-01-01")
            render_report(content, Path(tmp), "warm-up", ["pdf"], True)
        page = Fetched(url="https://example.org/", final_url="https://example.org/", status=200,
                       content_type="text/html", charset="utf-8", body=_WARM_PAGE)
        read_page(page)
        compare_notes([("a", "The sky is blue."), ("b", "The sky is not blue.")], None)
    except Exception as exc:  # noqa: BLE001 - a cold first call is still a call
        print(f"worker child warm-up failed: {exc}", file=sys.stderr)
    freeze_startup_heap(again=True)
