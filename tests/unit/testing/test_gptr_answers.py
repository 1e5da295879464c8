"""The fake LLM's answers to gpt-researcher's prompts (``bench/_gptr_answers.py``), on
prompts shaped as gpt-researcher 0.15.1 writes them: each of its three prompts gets an
answer it can parse, by the rules the fake answers ours; any other prompt gets none."""

from __future__ import annotations

import json
from types import ModuleType

from tests.support.paths import ROOT, load_file

QUESTION = ("How do WAL mode and the default rollback journal differ in concurrency and "
            "durability, and when should each be used?")
CONTEXT = ("Source: wal.html\nTitle: Write-Ahead Logging\nContent: WAL mode lets readers "
           "continue while a single writer appends to the log file. Short. Readers do not "
           "block writers and a writer does not block readers in this mode.\n"
           "Source: lockingv3.html\nTitle: \nContent: The rollback journal is deleted at the "
           "end of each transaction in the default mode of SQLite.")


def answers() -> ModuleType:
    """The bench module, loaded from its file (bench/ is not a package)."""
    return load_file(ROOT / "bench" / "_gptr_answers.py", "_gptr_answers")


def test_the_agent_choice_is_json_with_its_two_fields() -> None:
    system = ("This task involves researching a given topic ...\nThe server is determined by "
              "the field of the topic and the specific name of the server ...")
    got = json.loads(answers().answer(system, f"task: {QUESTION}"))
    assert set(got) == {"server", "agent_role_prompt"}


def test_search_queries_are_the_questions_parts_as_a_json_list() -> None:
    user = (f'Write 3 search queries to research the following task: "{QUESTION}"\n\n'
            'You must respond with a list of strings in the following format: '
            '["query 1", "query 2", "query 3"].')
    got = json.loads(answers().answer("", user))
    assert len(got) == 3 and all(isinstance(q, str) and q.endswith("?") for q in got)
    assert "WAL" in got[0]


def test_the_report_quotes_each_source_once_with_its_name() -> None:
    user = (f'\nInformation: "{CONTEXT}"\n---\nUsing the above information, answer the '
            f'following query or task: "{QUESTION}" in a detailed report --\nThe report ...')
    got = answers().answer("You are an AI research assistant.", user)
    assert got.startswith(f"# {QUESTION}\n")
    assert ("Readers do not block writers and a writer does not block readers in this mode. "
            "([wal.html](wal.html))") in got
    assert "Short." not in got  # fewer than 8 words: not quoted
    assert got.rstrip().endswith("- wal.html\n- lockingv3.html")


def test_other_prompts_get_no_answer() -> None:
    assert answers().answer("TASK: notes", "Question:\nWhat?") is None
