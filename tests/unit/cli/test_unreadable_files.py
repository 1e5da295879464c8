"""A file named with --file or --edit that cannot be read: the reason and the fix, in one
line each (the OS error alone repeated the path and had no hint)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from durable_research.cli import build_app
from durable_research.client.requests import read_prompt
from durable_research.errors import UserError


def test_a_missing_question_file_says_why_and_how(tmp_path: Path) -> None:
    with pytest.raises(UserError) as exc:
        read_prompt(None, str(tmp_path / "nope.txt"))
    assert exc.value.message == (
        f"Cannot read the question from {tmp_path / 'nope.txt'}: No such file or directory")
    assert exc.value.hint is not None and "give - to read from standard input" in exc.value.hint


def test_a_question_file_that_is_not_utf8_is_named_as_such(tmp_path: Path) -> None:
    latin = tmp_path / "q.txt"
    latin.write_bytes("Qu'est-ce que l'été ?".encode("latin-1"))
    with pytest.raises(UserError, match="it is not UTF-8 text") as exc:
        read_prompt(None, str(latin))
    assert exc.value.hint == "save the file as UTF-8 (plain text)"


@pytest.mark.parametrize(("args", "what", "stdin"), [
    (["plan", "report-x", "--edit"], "the sub-questions", True),
    (["edit", "report-x", "--file"], "the draft", False),
])
def test_review_files_that_cannot_be_read_are_refused_before_any_connection(
        tmp_path: Path, args: list[str], what: str, stdin: bool) -> None:
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(build_app(), [*args, str(missing)],
                                env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"Error: Cannot read {what} from {missing}: No such file or directory"
    assert lines[1].startswith("Hint: check the path")
    assert ("standard input" in lines[1]) == stdin
