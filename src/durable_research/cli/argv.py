"""Mistakes in the command line that the parser would misreport.

A question that starts with "-" ("-5 facts about ...") reads as an option: the parser
answers "No such option: -5", which leaves the user guessing. Caught here, before the
parser, it gets a message that says what happened and how to pass it.
"""

from __future__ import annotations

from durable_research.errors import UserError

# The commands whose positional argument is a question, as their leading words.
QUESTION_COMMANDS = (("run",), ("start",), ("schedule", "add"))


def question_as_option(args: list[str]) -> UserError | None:
    """The error for a question starting with "-" before any ``--`` in ``args`` (argv
    without the program), else None.

    A question is told from an option by a space: no option name holds one. A token
    right after another option may be that option's value (``--file "- notes"``) and
    is left to the parser; so is ``--opt=value with spaces``.
    """
    command = next((c for c in QUESTION_COMMANDS if tuple(args[: len(c)]) == c), None)
    if command is None:
        return None
    rest = args[len(command):]
    for i, token in enumerate(rest):
        if token == "--":
            return None
        head = token.split(None, 1)[0] if token.strip() else token
        if not token.startswith("-") or token == head or "=" in head:
            continue
        before = rest[i - 1] if i else ""
        if before.startswith("-") and "=" not in before:
            continue
        line = " ".join(command)
        return UserError(
            f"The question {token[:40]!r} starts with '-' and reads as an option",
            f"put -- before it: research {line} -- {token[:40]!r}",
        )
    return None
