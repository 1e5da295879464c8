"""``take_notes`` waits for the store once, not once per source: the texts of its sources,
and of the sources the report's earlier notes calls read, are read at once (each trip is
a hop to the I/O pool, on the chain of a sub-question's LLM calls:
bench/research_bench.py --critical-path). On a real folder store, wrapped so that two
reads must be under way together."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import notes_name, text_key
from durable_research.research.types import EarlierNotes, NotesInput, Source
from tests.support.helpers import env_for
from tests.support.stores import MeetingStore

TEXTS = {
    "a" * 64: "Larkspur Queue delivers every message at least once. A message stays in its "
              "queue until a consumer acknowledges it, so a crash does not lose it.",
    "b" * 64: "The broker listens on TCP port 7450 by default. The default maximum message "
              "size is 4 MiB, and every setting can be given on the command line.",
}


def _settings(tmp: Path) -> Settings:
    # A model measured not to write notes: the sources are quoted, no LLM is called.
    return Settings(store=str(tmp / "store"), data_dir=str(tmp), llm_api_key="k",
                    llm_model="openai/smollm2-135m-instruct",
                    llm_api_base="http://127.0.0.1:9/v1")


async def test_the_sources_texts_are_read_at_once(tmp_path: Path) -> None:
    writing = WritingActivities(_settings(tmp_path))
    for h, text in TEXTS.items():
        await writing.write_text(text_key(h), text)
    writing._store = MeetingStore(writing.store, lambda _key: False,
                                  reads_meet=lambda key: key.startswith("texts/"))
    sources = [Source(url=f"file:///{i}.md", title=f"doc {i}", kind=SourceKind.LOCAL,
                      content_hash=h) for i, h in enumerate(TEXTS, 1)]
    env = env_for("report-1/q1")
    notes = await env.run(writing.take_notes, NotesInput(
        question="How does Larkspur Queue deliver messages?", subquestion="delivery",
        sources=sources, key=notes_name(0)))
    assert notes.source_hashes == sorted(TEXTS)  # both texts were read, and quoted


async def test_the_earlier_calls_texts_are_read_with_its_own(tmp_path: Path) -> None:
    # The calls before it in the report's order are ranked again from their sources'
    # texts (research/sendonce.py): one wait for the store, with its own.
    writing = WritingActivities(_settings(tmp_path))
    for h, text in TEXTS.items():
        await writing.write_text(text_key(h), text)
    writing._store = MeetingStore(writing.store, lambda _key: False,
                                  reads_meet=lambda key: key.startswith("texts/"))
    mine, theirs = TEXTS
    source = Source(url="file:///1.md", title="doc 1", kind=SourceKind.LOCAL,
                    content_hash=mine)
    notes = await env_for("report-1/q2").run(writing.take_notes, NotesInput(
        question="How does Larkspur Queue deliver messages?", subquestion="delivery",
        sources=[source], key=notes_name(0),
        earlier=[EarlierNotes("the port", [theirs])]))
    assert notes.source_hashes == [mine]
