"""Keep a worker's long-lived objects out of the garbage collector's full passes.

A worker holds about half a million long-lived objects once litellm, ReportLab, the
fonts and the workflow machinery are loaded; each full collection walked all of them
(~230 ms on this box, every thread stopped), and a busy worker ran one every few
hundred reports: stalls of the event loop mid-workflow-task, and CPU per report.
``gc.freeze`` moves what exists after start-up to a generation the collector never
scans; what is created later is collected as usual. Called by the worker after its
start-up and warm-up, and by ``llm.calls`` once litellm is imported (after the start).
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap(again: bool = False) -> None:
    """Collect once, then freeze what is alive; once per process unless ``again``
    (after a warm-up that loaded more)."""
    global _frozen
    if _frozen and not again:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
