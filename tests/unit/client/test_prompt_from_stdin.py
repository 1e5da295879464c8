"""A question read with ``--file -`` is named as standard input in what the CLI says of
it. Found in a new user's trial: `research start --file - < /dev/null` said "The question
in - is empty" and "write the question into the file"; a file's question over the limit
read "is over 100,000 characters long, the limit"."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from durable_research.client.requests import MAX_PROMPT_CHARS, read_prompt
from durable_research.errors import UserError


def test_an_empty_standard_input_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(" \n"))
    with pytest.raises(UserError) as refused:
        read_prompt(None, "-")
    assert refused.value.message == "The question on standard input is empty"
    assert refused.value.hint == "pipe the question in, or pass it as an argument"


def test_an_empty_file_keeps_its_name(tmp_path: Path) -> None:
    empty = tmp_path / "q.txt"
    empty.write_text("")
    with pytest.raises(UserError) as refused:
        read_prompt(None, str(empty))
    assert refused.value.message == f"The question in {empty} is empty"
    assert refused.value.hint == "write the question into the file, or pass it as an argument"


def test_a_question_over_the_limit_says_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("why " * MAX_PROMPT_CHARS))
    with pytest.raises(UserError) as refused:
        read_prompt(None, "-")
    assert refused.value.message == (f"The question on standard input is over the limit of "
                                     f"{MAX_PROMPT_CHARS:,} characters")


def test_a_question_at_the_limit_with_its_final_newline_is_taken(tmp_path: Path) -> None:
    """A new user's trial: a file of exactly 100,000 characters, saved by an editor with
    the usual final newline, was refused as over the limit, though the question (stripped,
    as the argument is) is within it."""
    question = "why " * (MAX_PROMPT_CHARS // 4 - 1) + "now?"
    assert len(question) == MAX_PROMPT_CHARS
    at_limit = tmp_path / "q.txt"
    at_limit.write_text(question + "\n")
    assert read_prompt(None, str(at_limit)).strip() == question  # type: ignore[union-attr]


def test_a_question_over_the_limit_is_refused_whatever_follows_it(tmp_path: Path) -> None:
    over = tmp_path / "q.txt"
    over.write_text("w" * (MAX_PROMPT_CHARS + 1) + "\n" * 10)
    with pytest.raises(UserError) as refused:
        read_prompt(None, str(over))
    assert refused.value.message == (f"The question in {over} is over the limit of "
                                     f"{MAX_PROMPT_CHARS:,} characters")
