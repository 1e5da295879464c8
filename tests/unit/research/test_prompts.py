"""Prompt assembly: each passage sent once per judge call, the fixed text first and the
task last, and the fake LLM reading the prompts back."""

from __future__ import annotations

import json
import os

from durable_research.research import prompts
from durable_research.research.notes import CitedNote, NoteKind
from durable_research.testing.fake_research import research_reply

MOSS = "Tardigrades live in moss and lichens,\nwhich dry out often."
SEA = "Some tardigrades live in the sea."


def test_the_judge_is_sent_each_passage_once_with_its_claims_under_it() -> None:
    prompt = prompts.judge_prompt([(1, "They live in moss.", MOSS),
                                   (2, "They live in the sea.", SEA),
                                   (3, "Moss dries out often.", MOSS)])
    assert prompt.count("Tardigrades live in moss") == 1
    assert prompt.split("\n")[:4] == [
        "Source excerpt E1: Tardigrades live in moss and lichens, which dry out often.",
        "Claim 1: They live in moss.", "Claim 3: Moss dries out often.", ""]
    assert "Source excerpt E2: Some tardigrades live in the sea.\nClaim 2: They live in the " \
        "sea." in prompt


def test_the_fake_judge_judges_each_claim_against_the_excerpt_above_it() -> None:
    reply = research_reply(prompts.JUDGE_SYSTEM, prompts.judge_prompt(
        [(1, "Some tardigrades live in the sea.", MOSS),
         (2, "Some tardigrades live in the sea.", SEA)]))
    verdicts = {v["id"]: v["verdict"] for v in json.loads(reply or "")["verdicts"]}
    assert verdicts == {1: "neither", 2: "supports"}


def test_notes_prompts_share_their_start_and_end_with_the_task() -> None:
    one = prompts.notes_prompt("Q?", "Where do they live?", [(1, "Habitats", MOSS)])
    two = prompts.notes_prompt("Q?", "What do they eat?", [(1, "Food", "Algae and moss.")])
    shared = os.path.commonprefix([prompts.NOTES_SYSTEM + one, prompts.NOTES_SYSTEM + two])
    # The system prompt and the excerpts' heading stay the same from call to call: a
    # provider's prompt cache reuses them; the sources follow, the task comes last.
    assert shared == prompts.NOTES_SYSTEM + prompts.EXCERPTS_HEADING + "\n\n[S1] "
    assert one.endswith(f"\n{prompts.QUESTION_LABEL}Q?\n{prompts.SUBQUESTION_LABEL}"
                        "Where do they live?")
    assert one.index(MOSS) < one.index(prompts.QUESTION_LABEL)


def test_the_fake_note_taker_reads_no_task_line_as_an_excerpt() -> None:
    prompt = prompts.notes_prompt("Where do tardigrades live in the wild?",
                                  "Which habitats are named for tardigrades?",
                                  [(1, "Habitats", "Tardigrades live in moss cushions and in "
                                    "lichens on rocks. They are also found in sea sand.")])
    notes = json.loads(research_reply(prompts.NOTES_SYSTEM, prompt) or "")["notes"]
    assert notes and all("Research question" not in n["quote"] for n in notes)


def test_a_note_point_that_repeats_its_quote_is_sent_once() -> None:
    same = CitedNote(1, "They live in moss.", "They live in moss.")
    own = CitedNote(2, "Habitat: moss", "They live in moss.")
    assert prompts.note_line(same) == ['- [1] "They live in moss."']
    assert prompts.note_line(own) == ['- [2] Habitat: moss (quote: "They live in moss.")']
    section = prompts.section_prompt("Q?", "Where?", [same, own], [])
    assert section.endswith(f"{prompts.QUESTION_LABEL}Q?\n{prompts.SECTION_LABEL}Where?")
    written = research_reply(prompts.SECTION_SYSTEM, section) or ""
    assert "They live in moss. [1]" in written or "They live in moss [1]" in written


def test_the_summary_prompt_gives_the_sections_then_the_question() -> None:
    prompt = prompts.summary_prompt("Q?", [("Habitats", "They live in moss [1]."),
                                           ("Food", "They eat algae [2].")])
    assert prompt.startswith("## Habitats\n") and prompt.endswith(f"{prompts.QUESTION_LABEL}Q?")
    reply = research_reply(prompts.SUMMARY_SYSTEM, prompt) or ""
    assert "They live in moss [1]." in reply and "They eat algae [2]." in reply


def test_the_section_system_prompt_tells_only_the_block_kinds_the_notes_quote() -> None:
    sentence = CitedNote(1, "p", "They live in moss.")
    table = CitedNote(2, "p", "| Habitat |\n| --- |\n| Moss |", NoteKind.TABLE)
    code = CitedNote(3, "p", "```\npip install foo\n```", NoteKind.CODE)
    assert prompts.section_system([sentence]) == prompts.SECTION_SYSTEM
    assert "Markdown table" not in prompts.SECTION_SYSTEM
    with_table = prompts.section_system([sentence, table])
    assert with_table.startswith(prompts.SECTION_SYSTEM + " A note quoting a table has")
    assert "Markdown table" in with_table and "fenced block" not in with_table
    both = prompts.section_system([code, table, table])
    assert "A note quoting a table or code has" in both
    assert both.index("Markdown table") < both.index("fenced block")
    assert "Markdown list" not in both


def test_the_fixed_instructions_stay_short() -> None:
    # Every call of a report sends its system prompt (a report: 12-13 calls); a provider's
    # cache may reuse it, a small local model reads it each time. Budgets in words (the
    # fake LLM's tokens): what each said before, in fewer words, the untrusted-source rule
    # (32 words) whole in each (docs/benchmarks.md, goal 5, fifth round).
    budget = {prompts.NOTES_SYSTEM: 95, prompts.SECTION_SYSTEM: 90,
              prompts.SUMMARY_SYSTEM: 77}
    for system, words in budget.items():
        assert prompts.UNTRUSTED in system
        assert len(system.split()) <= words, system
    assert prompts.JUDGE_SYSTEM.count(prompts.UNTRUSTED) == 1

