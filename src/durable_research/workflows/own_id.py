"""A workflow runs only under an id that is its own (issue 25, finding 4).

``<parent>/<name>`` is a child's id: its activities work in the parent's store folder
(contract/keys.py). A client holding the payload key may start any workflow type under any
id, so a root ``<victim>/x`` would act in the victim's folder. Refused here before any
command, and again by the worker before each activity (activities/run_guard.py), which
does not depend on this code running (a key holder's own worker can schedule them).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from durable_research.contract.report import CHILD_ID_SEPARATOR, claimed_parent
    from durable_research.errors import FOREIGN_RUN


def check_own_id(child: bool = False) -> str:
    """The parent's workflow id ("" for a root) when this workflow's id is its own.

    Args:
        child: This workflow type only ever runs as a child.

    Raises:
        ApplicationError: Non-retryable ``ForeignRun`` (fails the workflow): the id names
            a parent this workflow is not a child of, or a child type was started alone.
    """
    info = workflow.info()
    parent = info.parent.workflow_id if info.parent else None
    claimed = claimed_parent(info.workflow_id)
    if (claimed is not None or child) and (parent is None or parent != claimed):
        raise ApplicationError(
            f"Refused: the workflow id {info.workflow_id[:80]!r} names a parent this "
            f"{info.workflow_type} is not a child of ({CHILD_ID_SEPARATOR!r} is reserved "
            "for sub-question workflows; a report's id never contains it)",
            type=FOREIGN_RUN, non_retryable=True)
    return parent or ""
