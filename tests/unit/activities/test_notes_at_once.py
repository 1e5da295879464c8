"""``take_notes`` waits for the store once per kind of trip, not once per source or passage:
the texts of its sources are read at once and the ledger of the passages it sends is
written at once (each trip is a hop to the I/O pool and each write an fsync, on the chain
of a sub-question's LLM calls: bench/research_bench.py --critical-path). On a real folder
store, wrapped so that two reads (or writes) must be under way together."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import notes_name, sent_passage_name, text_key
from durable_research.research.types import NotesInput, Source
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


async def test_the_ledger_of_the_sent_passages_is_written_at_once(tmp_path: Path) -> None:
    writing = WritingActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))
    store = MeetingStore(writing.store, lambda key: "/sent/" in key)
    writing._store = store
    ranked = [("a", "Tardigrades live in moss.", 2.0), ("b", "Water bears eat algae.", 1.0)]
    env = env_for("report-1/q1")
    sent = await env.run(writing._send_once, ranked, "q1-notes", "What do tardigrades eat?")
    assert sent == [("a", "Tardigrades live in moss."), ("b", "Water bears eat algae.")]
    ledgers = {env.run(writing.run_key, sent_passage_name(p)) for _t, p, _s in ranked}
    assert set(store.written) == ledgers
