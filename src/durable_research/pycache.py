"""Bytecode for the workflow modules, which the sandbox imports again for every run."""

from __future__ import annotations

import sys

from durable_research.config import Settings


def keep_workflow_bytecode(settings: Settings) -> None:
    """Let the sandbox's re-import of the workflow modules, once per workflow run, load
    bytecode instead of compiling them from source each time.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (this box, many containers) and no
    bytecode sits next to the sources, every workflow run compiled the workflow
    modules afresh. The bytecode goes to the data folder, never next to the sources.
    """
    if sys.dont_write_bytecode and sys.pycache_prefix is None:
        sys.pycache_prefix = str(settings.data_path / "pycache")
        sys.dont_write_bytecode = False
