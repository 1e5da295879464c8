"""A question starting with "-" gets a message saying how to pass it, not the parser's
"No such option: -w"."""

from __future__ import annotations

import subprocess
import sys

import pytest

from durable_research.cli.argv import question_as_option


@pytest.mark.parametrize("args", [
    ["run", "-what is this?"],
    ["start", "--format", "md", "-5 facts about tardigrades"],
    ["schedule", "add", "--every", "1h", "-what changed?"],
])
def test_a_question_starting_with_a_dash_is_named_with_the_fix(args: list[str]) -> None:
    mistake = question_as_option(args)
    assert mistake is not None
    assert args[-1] in mistake.message
    assert mistake.hint is not None and " -- " in mistake.hint


@pytest.mark.parametrize("args", [
    ["run", "--", "-what is this?"],          # the way to pass it
    ["run", "--no-web", "what is this?"],
    ["run", "--sources=my docs", "q"],        # an option's value with a space
    ["run", "--file", "- notes.txt"],         # a value right after its option
    ["status", "-what is this?"],             # no question here: the parser answers
    ["run", "-x"],                            # one word: an option to the parser
    [],
])
def test_options_and_passed_questions_are_left_to_the_parser(args: list[str]) -> None:
    assert question_as_option(args) is None


def test_the_command_says_it_in_one_line_and_a_hint_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "durable_research.cli", "run", "-what is this"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Error: The question '-what is this' starts with '-'")
    assert lines[1] == "Hint: put -- before it: research run -- '-what is this'"
