"""`research edit ID` with no editor set and no terminal (a pipe, cron, an agent) says to
give the draft with --file. Found in a new user's trial: it started `vi` on a pipe, which
drew its screen into the output and never returned (the command hung until killed)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from durable_research.cli import review
from durable_research.errors import UserError

ID = "report-0123456789ab"


def test_no_editor_and_no_terminal_asks_for_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: started.append(a))
    monkeypatch.setattr(review, "_has_terminal", lambda: False)
    with pytest.raises(UserError) as refused:
        review.edit_in_editor("## A draft", ID)
    assert started == []
    assert refused.value.message == "No terminal to open an editor in, and no EDITOR set"
    assert refused.value.hint == (f"give the new draft as a file: `research edit {ID} --file "
                                  "F`, or set EDITOR to an editor that opens its own window")


def test_a_chosen_editor_runs_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of its own (`code --wait`) needs no terminal."""
    started: list[Any] = []
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.setattr(review, "_has_terminal", lambda: False)
    real = subprocess.run

    def run(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    assert review.edit_in_editor("## A draft", ID) == "## A draft"
    assert len(started) == 1
