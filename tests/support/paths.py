"""Where the test data lives, for test files at any depth under tests/."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parents[1]
# The repository root: scripts/, bench/, src/ (and the cwd of helper subprocesses).
ROOT = TESTS.parent
DATA = TESTS / "data"
HISTORIES = TESTS / "histories"


def load_file(path: Path, name: str) -> ModuleType:
    """The module of a file outside the packages (scripts/, bench/), loaded as ``name``
    and registered in ``sys.modules`` (a dataclass of it looks its module up there)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module
