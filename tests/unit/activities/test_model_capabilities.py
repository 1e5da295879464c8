"""A model measured not to do a part usefully is not asked for it (``llm/capabilities``):
the activities quote the sources, leave the summary out and check by the rules alone,
without a call. The embedded model's address here is a closed port, so any call would
fail the activity; on a real folder store."""

from __future__ import annotations

import json
from pathlib import Path

from durable_research.activities.checking import CheckingActivities
from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.contract.citations import Reference, SourceKind
from durable_research.contract.keys import (
    checked_draft_name,
    notes_name,
    run_key,
    section_name,
    summary_name,
    text_key,
)
from durable_research.research.types import (
    SUMMARY_LEFT_OUT,
    CheckInput,
    NotesInput,
    SectionInput,
    Source,
)
from durable_research.store import content_hash
from tests.support.helpers import env_for
from tests.support.one_line_notes import WAL_NOTES

TEXTS = {
    "a" * 64: "Larkspur Queue delivers every message at least once. A message stays in its "
              "queue until a consumer acknowledges it, so a crash does not lose it.",
    "b" * 64: "The broker listens on TCP port 7450 by default. The default maximum message "
              "size is 4 MiB, and every setting can be given on the command line.",
}
QUESTION = "How does Larkspur Queue deliver messages?"


def _settings(tmp: Path) -> Settings:
    return Settings(store=str(tmp / "store"), data_dir=str(tmp), llm_api_key="k",
                    llm_model="openai/smollm2-135m-instruct",
                    llm_api_base="http://127.0.0.1:9/v1")


async def _stored(writing: WritingActivities) -> list[Source]:
    for h, text in TEXTS.items():
        await writing.write_text(text_key(h), text)
    return [Source(url=f"file:///{i}.md", title=f"doc {i}", kind=SourceKind.LOCAL,
                   content_hash=h) for i, h in enumerate(TEXTS, 1)]


async def test_notes_and_sections_quote_the_sources_without_asking(tmp_path: Path) -> None:
    writing = WritingActivities(_settings(tmp_path))
    env = env_for("report-1/q1")
    sources = await _stored(writing)
    notes = await env.run(writing.take_notes, NotesInput(
        question=QUESTION, subquestion="delivery guarantees", sources=sources,
        key=notes_name(0)))
    assert notes.usage.total_tokens == 0 and notes.extra == ""
    assert "notes quoted from the sources (the model is not asked" in notes.summary
    quoted = json.loads(await env.run(writing.read_text, notes.key))
    assert quoted and all(n["quote"] in TEXTS[n["source_hash"]] for n in quoted)
    refs = [Reference(n=i, title=s.title, url=s.url, kind=s.kind, content_hash=s.content_hash)
            for i, s in enumerate(sources, 1)]
    report = env_for("report-1")
    section = await report.run(writing.write_section, SectionInput(
        question=QUESTION, heading="Delivery", subquestion="delivery guarantees",
        notes_keys=[notes.key], references=refs, key=section_name(1)))
    assert section.quoted_notes and section.usage.total_tokens == 0
    text = await report.run(writing.read_text, section.key)
    assert text.startswith("## Delivery") and "at least once [1]." in text
    summary = await report.run(writing.write_section, SectionInput(
        question=QUESTION, role="summary", section_keys=[section.key], key=summary_name()))
    assert summary.chars == 0 and summary.summary.startswith(SUMMARY_LEFT_OUT)
    assert "not asked" in summary.summary

    checking = CheckingActivities(_settings(tmp_path))
    checked = await report.run(checking.check_citations, CheckInput(
        question=QUESTION, section_keys=[section.key], references=refs, use_judge=True,
        key=checked_draft_name()))
    assert checked.checked and checked.supported == checked.checked
    assert checked.judged == 0 and checked.usage.total_tokens == 0
    assert checked.remark.startswith("Citations were checked by the rules alone")


async def test_the_remark_only_when_the_judge_was_wanted(tmp_path: Path) -> None:
    writing = WritingActivities(_settings(tmp_path))
    await _stored(writing)
    env = env_for("report-2")
    section = run_key("report-2", section_name(1))
    await writing.write_text(section, "## A\n\nLarkspur Queue delivers every message at "
                                      "least once [1].")
    checking = CheckingActivities(_settings(tmp_path))
    checked = await env.run(checking.check_citations, CheckInput(
        section_keys=[section], use_judge=False, key=checked_draft_name(),
        references=[Reference(n=1, title="doc", content_hash="a" * 64)]))
    assert checked.checked == 1 and checked.remark == ""


async def test_one_line_notes_without_full_stops_are_quoted(tmp_path: Path) -> None:
    """A report over 210 one-line notes ("# Doc N" and a line without a full stop) quoted
    0 sources in each sub-question: no line was a quotable sentence."""
    writing = WritingActivities(_settings(tmp_path))
    sources = []
    for name, text in WAL_NOTES.items():
        h = content_hash(text.encode())
        await writing.write_text(text_key(h), text)
        sources.append(Source(url=name, title=name, kind=SourceKind.LOCAL, content_hash=h))
    env = env_for("report-3/q1")
    notes = await env.run(writing.take_notes, NotesInput(
        question="How does SQLite's write-ahead log mode work?",
        subquestion="What does a WAL checkpoint do?", sources=sources, key=notes_name(0)))
    quoted = json.loads(await env.run(writing.read_text, notes.key))
    assert len(notes.source_hashes) >= 3, notes.summary
    assert all(n["quote"] in WAL_NOTES[n["url"]] for n in quoted)
