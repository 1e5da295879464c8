"""Make ``--dist loadgroup`` group tests again under pytest 9 (pytest-xdist 3.8).

pytest-xdist groups a test by appending ``@<group>`` to its node id in the worker
(``item._nodeid = ...``); pytest 9 keeps node ids in a structured ``item._id`` and no
longer reads ``_nodeid``, so the suffix was silently lost and every ``xdist_group`` of
the suite was ignored (pytest-dev/pytest-xdist#1386, fix proposed in #1388). Measured
on this suite (tests/e2e/store, ``-n 3``): the tests of the "store" group ran in all
three processes and started the S3 server three times. :func:`apply_groups` writes the
suffix where pytest 9 reads it, and does nothing where xdist already did (an xdist that
has the fix, or pytest 8).
"""

from __future__ import annotations

import pytest

GROUP_MARK = "xdist_group"


def group_name(item: pytest.Item) -> str:
    """The item's group as xdist names it: its groups' names sorted and joined, or ''."""
    names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
             for mark in item.iter_markers(GROUP_MARK)}
    return "_".join(sorted(names))


def apply_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each grouped item the ``@<group>`` node id suffix the loadgroup scheduler
    reads, in a worker of ``--dist loadgroup`` (xdist sets ``option.loadgroup`` there)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        name = group_name(item)
        if not name or item.nodeid.endswith(f"@{name}"):
            continue
        if hasattr(item, "_id"):  # pytest >= 9: the structured id is the node id
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(f"{item.nodeid}@{name}")
        else:  # pragma: no cover - pytest 8, where xdist's own suffix already took
            setattr(item, "_nodeid", f"{item.nodeid}@{name}")  # noqa: B010 - private field
