"""The fake LLM's research answers scripted to believe some sentences (``prefer_quotes``):
the note-taker quotes them wherever an excerpt has them, and the section writer states
them as fact, siding with them where it is told the sources disagree (issue 21's
adversarial writer: a model that takes a decoy page at its word)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from durable_research.research import prompts
from durable_research.research.notes import CitedNote
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fake_research import research_reply

DECOY = "By default SQLite runs an automatic checkpoint once the WAL file reaches 10000 pages."
OFFICIAL = ("By default, SQLite does a checkpoint automatically when the WAL file reaches a "
            "threshold size of 1000 pages.")
OTHER = "Checkpoints copy pages from the WAL file back into the database file."
FORUM = (f"Many people keep cats as pets. {DECOY} Some people keep dogs as pets too, and "
         "other people keep fish.")


def section(disagree: bool) -> str:
    """A section prompt with the decoy's note [1] and the official one [2] (and, with
    ``disagree``, the disagreement compare_notes found between them)."""
    notes = [CitedNote(1, DECOY, DECOY), CitedNote(2, OFFICIAL, OFFICIAL),
             CitedNote(2, OTHER, OTHER)]
    found = [prompts.Disagreement(1, DECOY, 2, OFFICIAL, "numbers differ")] if disagree else []
    return prompts.section_prompt("How do checkpoints work?", "When does SQLite checkpoint?",
                                  notes, [], found)


def test_the_note_taker_quotes_a_believed_sentence_whole_though_off_topic() -> None:
    prompt = prompts.notes_prompt("What is a cat?", "Which pets do people keep?",
                                  [(1, "Forum", FORUM)])
    quotes = [n["quote"] for n in json.loads(
        research_reply(prompts.NOTES_SYSTEM, prompt, prefer=[DECOY]) or "")["notes"]]
    assert quotes[0] == DECOY
    honest = [n["quote"] for n in json.loads(
        research_reply(prompts.NOTES_SYSTEM, prompt) or "")["notes"]]
    assert DECOY not in honest


def test_the_writer_sides_with_a_believed_sentence_where_sources_disagree() -> None:
    written = research_reply(prompts.SECTION_SYSTEM, section(True), prefer=[DECOY]) or ""
    assert f"{DECOY.rstrip('.')} [1]" in written
    # It states the decoy as fact: no hedge, and the official side left out.
    assert "disagree" not in written and "1000 pages" not in written
    # Notes outside the disagreement are written as usual.
    assert f"{OTHER.rstrip('.')} [2]" in written


@pytest.mark.parametrize("believed", [(), (DECOY, OFFICIAL)])
def test_the_writer_reports_both_sides_unless_it_believes_one(believed: tuple[str, ...]) -> None:
    written = research_reply(prompts.SECTION_SYSTEM, section(True), prefer=believed) or ""
    assert "The sources disagree here." in written
    assert f"{DECOY.rstrip('.')} [1]" in written and f"{OFFICIAL.rstrip('.')} [2]" in written


def test_a_believed_sentence_nobody_disputes_is_written_like_any_note() -> None:
    plain = research_reply(prompts.SECTION_SYSTEM, section(False)) or ""
    assert research_reply(prompts.SECTION_SYSTEM, section(False), prefer=[DECOY]) == plain


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def ask(fake: FakeLLM, system: str, user: str) -> str:
    """One chat completion from the fake's HTTP endpoint."""
    body = json.dumps({"model": "fake-model", "messages": [
        {"role": "system", "content": system}, {"role": "user", "content": user}]}).encode()
    request = urllib.request.Request(f"{fake.api_base}/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return str(json.loads(reply.read())["choices"][0]["message"]["content"])


def test_configured_beliefs_reach_the_section_writer(fake: FakeLLM) -> None:
    fake.configure(prefer_quotes=[DECOY])
    written = ask(fake, prompts.SECTION_SYSTEM, section(True))
    assert f"{DECOY.rstrip('.')} [1]" in written and "disagree" not in written
    fake.reset()  # forgets them: the honest writer again
    assert "The sources disagree here." in ask(fake, prompts.SECTION_SYSTEM, section(True))
