"""Where the test data lives, for test files at any depth under tests/."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# The repository root: scripts/, bench/, src/ (and the cwd of helper subprocesses).
ROOT = TESTS.parent
DATA = TESTS / "data"
HISTORIES = TESTS / "histories"
